/**
 * SIGINT and SIGTERM to the real CLI in the phases where it waits on something that is not its
 * own step: another run's lock on the vars store (a wait of up to two minutes), generating the
 * variables, and an earlier run's CPI call that is still running (recovery waits for it). Each
 * run ends INTERRUPTED and says so, with the shell's code for the signal (SIGINT 130, SIGTERM
 * 143); how long it took after the signal is printed, and bounded only loosely (60 s), since a
 * busy machine may be slow to schedule it.
 *
 * The moment to send the signal is observed, never timed: the lock file's access time (the CLI
 * has read who holds it), the vars store's first write, the debug log's line about waiting for
 * the earlier CPI.
 */
import { existsSync } from "node:fs";
import { chmod, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesMentioning } from "./support/director.js";
import { cliPath, EVERY_CALL_RUNS_NODE, exampleManifestAt, makeHome, repoRoot, runCli } from "./support/cli.js";

const OCTET = 103;

interface Run {
  kill(signal: NodeJS.Signals): void;
  ended: Promise<{ exitCode?: number | undefined; signal?: string | undefined; stderr: string }>;
  /** Whether it ended (then what a test waits for will not come). */
  hasEnded(): boolean;
}
// What the CLI would wait for if it ignored the signal: the lock's two minutes, or a gate that
// never opens. An honoured signal ends the run in well under a second; the bound sits far above
// that, so a busy machine makes this test slower, never red.
const LOOSE_BOUND_MS = 60_000;

/** Polls `probe` while `run` lives. */
async function until<T>(what: string, run: Run, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (run.hasEnded()) throw new Error(`the run ended before ${what}:\n${(await run.ended).stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("SIGINT and SIGTERM are honoured at once where the CLI waits", () => {
  let home: string;
  let manifest: string;
  const latencies: string[] = [];
  const varsStore = (): string => join(home, "creds.yml");
  const statePath = (): string => join(home, "state.json");
  const gate = (): { started: string; open: string } => ({ started: join(home, "gate.started"), open: join(home, "gate.open") });
  const args = (): string[] => [manifest, "-o", join(home, "gated-cpi.yml"), "-v", "director_name=signals", "--vars-store", varsStore(), "--state", statePath()];
  const start = (): Run => {
    const child = execa(process.execPath, [cliPath, "deploy", ...args()], { cwd: repoRoot, env: { HOME: home }, reject: false, stdin: "ignore" });
    let ended = false;
    return {
      kill: (signal) => child.kill(signal),
      ended: child.then((r) => {
        ended = true;
        return { exitCode: r.exitCode, signal: r.signal, stderr: r.stderr };
      }),
      hasEnded: () => ended,
    };
  };

  /** Sends `signal`, and checks the run ends INTERRUPTED; returns how long it took. */
  async function interrupt(run: Run, signal: NodeJS.Signals, phase: string): Promise<void> {
    const sent = performance.now();
    run.kill(signal);
    const result = await run.ended;
    const ms = Math.round(performance.now() - sent);
    latencies.push(`${phase}, ${signal}: exit ${result.exitCode ?? result.signal} after ${ms} ms`);
    expect(result.exitCode, result.stderr).toBe(signal === "SIGTERM" ? 143 : 130);
    expect(result.stderr).toContain(`Received ${signal}`);
    expect(result.stderr).toContain("INTERRUPTED");
    expect(result.stderr).not.toContain("this is a bug");
    expect(ms, `${phase}: exit after ${signal}`).toBeLessThan(LOOSE_BOUND_MS);
  }

  beforeAll(async () => {
    home = await makeHome("e2e-signals");
    manifest = await exampleManifestAt(home, OCTET);
    // The CPI's node, wrapped: create_stemcell waits for a gate this test opens.
    const wrapper = join(home, "cpi-node.sh");
    await writeFile(
      wrapper,
      [
        "#!/bin/bash",
        'request="$(cat)"',
        `if [[ $request == *'"method":"create_stemcell"'* ]]; then touch "${gate().started}"; while [ ! -e "${gate().open}" ]; do sleep 0.1; done; fi`,
        `exec ${process.execPath} "$@" <<<"$request"`,
        "",
      ].join("\n"),
    );
    await chmod(wrapper, 0o755);
    await writeFile(join(home, "gated-cpi.yml"), ["- type: replace", "  path: /cloud_provider/properties/local/node?", `  value: ${wrapper}`, ...EVERY_CALL_RUNS_NODE, ""].join("\n"));
  });

  afterAll(async () => {
    console.log(latencies.join("\n"));
    await writeFile(gate().open, "");
    await rm(`${varsStore()}.lock`, { force: true });
    await runCli(["delete", ...args()], { home });
  });

  it("while waiting for another run's lock on the vars store", async () => {
    const lock = `${varsStore()}.lock`;
    // Held by a live process (this one), so the CLI would wait for it for two minutes.
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: "signals test", started_at: "now" }));
    try {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        // Read before it was written, as far as the file system knows: the CLI's read moves the access time.
        const now = new Date();
        await utimes(lock, new Date(now.getTime() - 60_000), now);
        const run = start();
        await until("the CLI read the vars store's lock", run, async () => {
          const info = await stat(lock);
          return info.atimeMs > info.mtimeMs ? true : undefined;
        });
        await interrupt(run, signal, "waiting for the vars store's lock");
        expect(existsSync(varsStore())).toBe(false);
      }
    } finally {
      await rm(lock, { force: true });
    }
  });

  it("while generating the variables", async () => {
    const run = start();
    await until("the first variable was in the vars store", run, async () => ((await readFile(varsStore(), "utf8").catch(() => "")) !== "" ? true : undefined));
    await interrupt(run, "SIGINT", "generating variables");
  });

  it("while waiting for an earlier run's CPI call", async () => {
    // A run killed while create_stemcell runs leaves the call running, and in the journal.
    const killed = start();
    await until("create_stemcell started", killed, () => (existsSync(gate().started) ? true : undefined));
    killed.kill("SIGKILL");
    await killed.ended;

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const logs = join(home, ".bootstrap", "logs");
      const before = new Set(await readdir(logs).catch(() => [] as string[]));
      const run = start();
      await until("the run waited for the earlier create_stemcell", run, async () => {
        for (const name of await readdir(logs).catch(() => [] as string[])) {
          if (before.has(name)) continue;
          if ((await readFile(join(logs, name), "utf8")).includes("waiting for CPI 'create_stemcell'")) return true;
        }
        return undefined;
      });
      await interrupt(run, signal, "waiting for an earlier run's CPI call");
    }

    // Let the call end: the next run adopts the stemcell it made, and delete leaves nothing.
    await writeFile(gate().open, "");
    const deleted = await runCli(["delete", ...args()], { home });
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(deleted.stderr).toMatch(/Adopted stemcell '[^']+' uploaded by an interrupted run/);
    expect(await readdir(join(home, ".bootstrap", "local", "stemcells")).catch(() => [])).toEqual([]);
    expect(await processesMentioning(home)).toEqual([]);
  });
});
