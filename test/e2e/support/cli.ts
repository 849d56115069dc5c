/**
 * Runs the built `bootstrap` CLI as a real process, the way users and CI do, with HOME pointed
 * at a private directory so caches, installations and local VMs never leak between tests.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The built CLI; BOOTSTRAP_TEST_CLI runs the e2e files against another build (e.g. an older one, to see a test fail). */
export const cliPath = process.env["BOOTSTRAP_TEST_CLI"] ?? join(repoRoot, "dist/bundle/bootstrap.js");
export const exampleManifest = join(repoRoot, "examples/manifests/local.yml");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export async function runCli(args: string[], opts: { home: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  const started = Date.now();
  const result = await execa(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { HOME: opts.home, ...opts.env },
    reject: false,
    timeout: opts.timeoutMs ?? 300_000,
    stdin: "ignore",
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: Date.now() - started,
  };
}

export async function makeHome(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `bootstrap-${prefix}-`));
}

/**
 * The example manifest moved to 127.0.<thirdOctet>.0/24 (so test files can run side by side,
 * each on its own addresses; VMs on 127.0.0.0/8 share the host's network namespace) with its
 * artefact URLs made absolute, written into `dir`.
 */
export async function exampleManifestAt(dir: string, thirdOctet: number): Promise<string> {
  const text = await readFile(exampleManifest, "utf8");
  const moved = text
    .replaceAll("10.253.10.", `127.0.${thirdOctet}.`)
    .replaceAll("file://../../artifacts/", `file://${join(repoRoot, "artifacts")}/`);
  const path = join(dir, "local.yml");
  await writeFile(path, moved);
  return path;
}

/**
 * Ops-file lines (under a list of operations) that make the local CPI run its `local.node` for
 * every call instead of handing calls to its warm helper: for tests whose node wrapper must see
 * each call (to gate, count or kill after it).
 */
export const EVERY_CALL_RUNS_NODE = ["- type: replace", "  path: /cloud_provider/properties/local/warm_helper?", "  value: false"];
