/**
 * Runs the local CPI as a real process, the way bosh-cli does: one JSON request on stdin, one
 * JSON response on stdout. From the TypeScript sources through tsx unless a bundle is given.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Longer than the CPI's own bounded waits inside one call (a VM's init 30 s, its SSH server
// 60 s, a stop 10 s), so a slow machine makes a call slow, not failed.
const CPI_CALL_TIMEOUT_MS = 180_000;

export const CPI_SOURCE = resolve(import.meta.dirname, "../../../../src/local/cpi/main.ts");

export interface CpiResponse {
  result: unknown;
  error: null | { type: string; message: string; ok_to_retry: boolean };
  log: string;
}

export interface CpiRunner {
  baseDir: string;
  configPath: string;
  call(method: string, args?: unknown[]): Promise<CpiResponse>;
  /** call() that fails the test on a CPI error and returns the result. */
  ok(method: string, args?: unknown[]): Promise<unknown>;
}

export function cpiRunner(o: { mbus?: string; sshPort?: number; script?: string; baseDir?: string } = {}): CpiRunner {
  const work = mkdtempSync(join(tmpdir(), "local-cpi-"));
  const baseDir = o.baseDir ?? join(work, "base");
  const configPath = join(work, "cpi.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      agent: { mbus: o.mbus ?? "https://mbus:secret@0.0.0.0:6868" },
      blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/micro_bosh/data/cache" } },
      ntp: [],
      local: { base_dir: baseDir, ssh_port: o.sshPort ?? 2222, ssh_user: "vcap" },
    }),
  );
  const command = o.script === undefined ? ["--import", "tsx", CPI_SOURCE] : [o.script];
  const call = (method: string, args: unknown[] = []) => runCpi(command, configPath, { method, arguments: args, context: { director_uuid: "test" }, api_version: 2 });
  return {
    baseDir,
    configPath,
    call,
    async ok(method, args = []) {
      const response = await call(method, args);
      if (response.error !== null) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
      return response.result;
    },
  };
}

export function runCpi(nodeArgs: string[], configPath: string, request: unknown): Promise<CpiResponse> {
  return runCpiRaw(nodeArgs, configPath, JSON.stringify(request)).then(({ stdout }) => JSON.parse(stdout) as CpiResponse);
}

export function runCpiRaw(nodeArgs: string[], configPath: string | undefined, stdin: string): Promise<{ stdout: string; code: number }> {
  return new Promise((done, fail) => {
    const args = configPath === undefined ? nodeArgs : [...nodeArgs, configPath];
    const child = execFile(process.execPath, args, { timeout: CPI_CALL_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      if (error !== null && typeof error.code !== "number") fail(new Error(`CPI process failed: ${error.message}\n${stderr}`));
      else done({ stdout, code });
    });
    child.stdin?.end(stdin);
  });
}
