/**
 * The library (src/api, the package's `exports`): typed options in, typed results and events
 * out, BootstrapErrors with stable codes, INTERRUPTED after an abort, and not a byte written to
 * the process's stdout or stderr. Pure: the deploys are in test/e2e/npm-package.test.ts.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { interpolate, isBootstrapError, plan, type BootstrapEvent } from "../../src/api/index.js";

let dir: string;
let writes: MockInstance[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "api-"));
  writes = [vi.spyOn(process.stdout, "write"), vi.spyOn(process.stderr, "write")];
});
afterEach(() => {
  // given any call above, when it is done, then nothing reached the process's own output
  for (const w of writes) expect(w).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; hint: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBootstrapError(error)) throw new Error(`expected a BootstrapError, got ${String(error)}`);
  return { code: error.code, hint: error.hint };
}

describe("the library API", () => {
  it("interpolate: ops files and variables applied, generated variables written to the vars store", async () => {
    const manifest = join(dir, "m.yml");
    await writeFile(manifest, "name: ((name))\npassword: ((pw))\nvariables:\n- name: pw\n  type: password\n");
    await writeFile(join(dir, "ops.yml"), "- type: replace\n  path: /extra?\n  value: 1\n");
    const result = await interpolate({ manifest: "m.yml", cwd: dir, opsFiles: ["ops.yml"], vars: { name: "lib" }, varsStore: "creds.yml" });
    expect(result.generated).toEqual(["pw"]);
    expect(result.document).toMatchObject({ name: "lib", extra: 1, password: expect.any(String) });
    expect(result.yaml).toContain("name: lib\n");
    expect(await readFile(join(dir, "creds.yml"), "utf8")).toMatch(/^pw: /m);
  });

  it("rejects with a BootstrapError's stable code and hint; the events so far went to onEvent, the log to logFile", async () => {
    const events: BootstrapEvent[] = [];
    const logFile = join(dir, "plan.log");
    const failed = await rejection(plan({ manifest: join(dir, "missing.yml"), env: { HOME: dir }, onEvent: (e) => events.push(e), logFile }));
    expect(failed.code).toBe("FILE_NOT_FOUND");
    expect(events).toContainEqual({ type: "info", message: `Deployment manifest: '${join(dir, "missing.yml")}'` });
    expect(await readFile(logFile, "utf8")).toContain("failed: ");
  });

  it("after its signal is aborted a call rejects with INTERRUPTED, whatever the interrupted work threw", async () => {
    const controller = new AbortController();
    controller.abort();
    const failed = await rejection(plan({ manifest: join(dir, "missing.yml"), env: { HOME: dir }, signal: controller.signal, logFile: join(dir, "p.log") }));
    expect(failed).toMatchObject({ code: "INTERRUPTED", hint: "Run the same command again to continue where it stopped." });
    expect((await rejection(interpolate({ manifest: join(dir, "missing.yml"), signal: controller.signal }))).code).toBe("INTERRUPTED");
  });
});
