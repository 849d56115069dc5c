/**
 * No kill leaks a resource: a run killed with SIGKILL while the CPI creates a VM leaves a
 * journal entry, and the next run's recoverPendingCalls waits for the CPI and returns the CID;
 * the entry stays until the caller, having recorded the CID, forgets it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { recoverPendingCalls, CpiError } from "../../src/cpi-runner/index.js";
import { writeIntent } from "../../src/cpi-runner/journal.js";
import type { JournalRecord } from "../../src/cpi-runner/journal.js";
import { isBootstrapError } from "../../src/common/index.js";
import { FAKE_CPI, MemoryLogger, fakeCpi } from "./fake-cpi-env.js";

const RUN_CALL = join(import.meta.dirname, "fixtures", "run-call.ts");
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function waitForFile(path: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text !== undefined && text !== "") return text;
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function record(overrides: Partial<JournalRecord>): JournalRecord {
  return {
    version: 2,
    request_id: "cpi-aaaaaaaaaaaa",
    method: "create_vm",
    arguments: ["agent-1"],
    tag: { kind: "vm" },
    api_version: 2,
    cpi_path: "/x/bin/cpi",
    started_at: new Date().toISOString(),
    ...overrides,
  };
}

describe("a run killed during create_vm", () => {
  it("leaves the CPI running, and the next run adopts the VM it created", async () => {
    const cpi = await fakeCpi({ create_vm: "slow:3000" });
    dirs.push(cpi.dir);
    const runner = execa("node", ["--import", "tsx", RUN_CALL, cpi.journalDir], {
      env: { ...cpi.env, FAKE_CPI_PATH: FAKE_CPI },
      reject: false,
    });
    const cpiPid = Number(await waitForFile(join(cpi.dir, "started-create_vm"), 30_000));
    runner.kill("SIGKILL");
    const killed = await runner;
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).toBe("");
    expect(() => process.kill(cpiPid, 0)).not.toThrow(); // the CPI outlived us

    const logger = new MemoryLogger();
    const recovered = await recoverPendingCalls(cpi.journalDir, logger);
    expect(recovered).toEqual([
      {
        method: "create_vm",
        arguments: ["agent-7", "st-1", {}, {}, [], {}],
        tag: { kind: "vm", agent_id: "agent-7" },
        outcome: { kind: "result", result: { cid: "vm-1", networks: {} } },
        entry: expect.stringMatching(/\.json$/),
        forget: expect.any(Function),
      },
    ]);
    expect(logger.text()).toContain(`waiting for CPI 'create_vm' (pid ${cpiPid})`);
    await stat(join(cpi.dir, "iaas", "vm-1"));
    // Not forgotten until the caller says the state holds it: a second look finds it again.
    expect(await recoverPendingCalls(cpi.journalDir, logger)).toMatchObject([{ outcome: { kind: "result", result: { cid: "vm-1" } } }]);
    await recovered[0]!.forget();
    expect(await readdir(cpi.journalDir)).toEqual([]);
    expect(await recoverPendingCalls(cpi.journalDir, logger)).toEqual([]);
  });
});

describe("recoverPendingCalls", () => {
  async function journal(): Promise<string> {
    const cpi = await fakeCpi();
    dirs.push(cpi.dir);
    return cpi.journalDir;
  }

  it("returns nothing when there is no journal", async () => {
    expect(await recoverPendingCalls("/nonexistent/journal", new MemoryLogger())).toEqual([]);
  });

  it("hands back a CPI error as a CpiError", async () => {
    const dir = await journal();
    const files = await writeIntent(dir, record({ method: "create_disk", pid: 999_999_999 }));
    await writeFile(files.stdout, JSON.stringify({ result: null, error: { type: "Bosh::Clouds::CloudError", message: "quota", ok_to_retry: false } }));
    const [call] = await recoverPendingCalls(dir, new MemoryLogger());
    expect(call!.outcome.kind).toBe("error");
    const error = (call!.outcome as { error: CpiError }).error;
    expect(error).toBeInstanceOf(CpiError);
    expect(error).toMatchObject({ cpiType: "Bosh::Clouds::CloudError", method: "create_disk" });
  });

  it("reports a call whose CPI died without a response as lost", async () => {
    const dir = await journal();
    const files = await writeIntent(dir, record({ pid: 999_999_999 }));
    await writeFile(files.stdout, "");
    const [call] = await recoverPendingCalls(dir, new MemoryLogger());
    expect(call!.outcome).toEqual({ kind: "lost", reason: expect.stringContaining("printed nothing") });
    expect(call!.tag).toEqual({ kind: "vm" });
  });

  it("does not wait for a recycled pid (same pid, other start time)", async () => {
    const dir = await journal();
    const files = await writeIntent(dir, record({ method: "delete_vm", pid: process.pid, pid_start: "1" }));
    await writeFile(files.stdout, JSON.stringify({ result: null, error: null }));
    const [call] = await recoverPendingCalls(dir, new MemoryLogger());
    expect(call).toMatchObject({ method: "delete_vm", outcome: { kind: "result", result: null } });
  });

  it("a result of the wrong shape is lost, not failed: the CPI may have made something", async () => {
    const dir = await journal();
    const files = await writeIntent(dir, record({ pid: 999_999_999 }));
    await writeFile(files.stdout, JSON.stringify({ result: { unexpected: true }, error: null }));
    const [call] = await recoverPendingCalls(dir, new MemoryLogger());
    expect(call!.outcome).toEqual({ kind: "lost", reason: expect.stringContaining("[cid, networks]") });
  });

  it("forgets a call whose pid was never recorded: the CPI never got its request, whatever it printed", async () => {
    const dir = await journal();
    const files = await writeIntent(dir, record({}));
    await writeFile(files.stdout, JSON.stringify({ result: null, error: { type: "Bosh::Clouds::CloudError", message: "no request on stdin" } }));
    expect(await recoverPendingCalls(dir, new MemoryLogger())).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("forgets an intent whose CPI never started, and output files without a record", async () => {
    const dir = await journal();
    await writeIntent(dir, record({}));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "cpi-bbbbbbbbbbbb.out"), "{}");
    expect(await recoverPendingCalls(dir, new MemoryLogger())).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("stops waiting with INTERRUPTED when aborted, keeping the entry for the next run", async () => {
    const dir = await journal();
    // An earlier version's record: no pid, so whoever holds the response file open is the CPI.
    const files = await writeIntent(dir, record({ version: 1 }));
    // No pid recorded, and a live process (this one) holds the response file open.
    await writeFile(files.stdout, "");
    const handle = await open(files.stdout, "a");
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 400);
      const error = await recoverPendingCalls(dir, new MemoryLogger(), controller.signal).catch((e: unknown) => e);
      expect(isBootstrapError(error) && error.code).toBe("INTERRUPTED");
      expect((await readdir(dir)).sort()).toEqual(["cpi-aaaaaaaaaaaa.json", "cpi-aaaaaaaaaaaa.out"]);
    } finally {
      await handle.close();
    }
  });
});
