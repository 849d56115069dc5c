/**
 * A YAML bomb at the CLI: every command that reads the manifest ends non-zero with
 * YAML_TOO_LARGE and its hint (main() in-process), and the real process ends at once instead of
 * spending minutes and gigabytes deaf to SIGTERM, as it did before the limits (the issue's
 * 441-byte manifest, measured: 60+ s and 1.8 GB for 9^7 laughs, SIGTERM ignored for 9^9).
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { YAML_BOMBS } from "../common/yaml-bombs.js";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "src/cli/bin.ts");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const LAUGHS = YAML_BOMBS[0]!.text;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-bombs-"));
  await writeFile(join(dir, "bomb.yml"), LAUGHS);
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: { HOME: dir, BOOTSTRAP_HOME: join(dir, "home") }, cwd: dir, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

describe("a bomb manifest at the CLI (main in-process)", () => {
  it.each([["interpolate"], ["plan"], ["deploy"], ["delete"]])("%s exits 1 with YAML_TOO_LARGE naming the file, and its hint", async (command) => {
    // (delete reads the manifest only when there is a state file)
    await writeFile(join(dir, "bomb-state.json"), "{}\n");
    const r = await run([command, "bomb.yml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/YAML_TOO_LARGE.*bomb\.yml has more than 200000 values/);
    expect(r.stderr).toContain("Hint: No real BOSH file comes near these limits");
    expect(r.stdout).not.toContain("lol");
  });

  it("names -v and --vars-env values too", async () => {
    await writeFile(join(dir, "m.yml"), "name: ((x))\n");
    const r = await run(["interpolate", "m.yml", "-v", `x=${LAUGHS}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/YAML_TOO_LARGE.*-v x has more than/);
  });
});

describe("a bomb manifest given to the real process", () => {
  it("ends it at once, and a SIGTERM sent meanwhile is not ignored", async () => {
    // given: the bomb on standard input (`interpolate -`), SIGTERM sent while it may still run
    const child = spawn(process.execPath, ["--import", TSX, BIN, "interpolate", "-"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("exit", (code, signal) => done({ code, signal })));
    child.stdin.end(LAUGHS);
    const started = Date.now();
    const timer = setTimeout(() => child.kill("SIGTERM"), 3000);
    // Before the limits it never ended: the watchdog kills it, and the test fails on the exit code.
    const watchdog = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    clearTimeout(watchdog);
    // then: it ended by itself with the coded error, or on SIGTERM (if it was still starting up)
    expect(signal === "SIGKILL").toBe(false);
    if (code === 1) expect(stderr).toContain("YAML_TOO_LARGE");
    else expect(code === 143 || signal === "SIGTERM").toBe(true);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
