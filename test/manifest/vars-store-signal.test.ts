/**
 * Ctrl-C while variables are being generated: the wait for another run's lock on the vars store
 * (up to two minutes) ends at once, and no value is generated after the signal.
 */
import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { evaluateManifest, type EvaluateInput } from "../../src/manifest/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vars-store-signal-"));
});

const opts = { expectAllKeys: true, expectAllVarsUsed: false };
const input = (signal: AbortSignal): EvaluateInput => ({
  manifestPath: "m.yml",
  opsFiles: [],
  varFlags: { varsStore: "store.yml" },
  env: {},
  cwd: dir,
  generation: "write",
  signal,
});
const interrupted = (): Error => Object.assign(new Error("Interrupted by SIGINT"), { code: "INTERRUPTED" });

describe("the vars store after a signal", () => {
  it("stops waiting for another run's lock at once, with the signal's reason", async () => {
    await writeFile(join(dir, "m.yml"), yaml.dump({ p: "((pw))", variables: [{ name: "pw", type: "password" }] }));
    // Held by a live process (this one): without the signal the run would wait two minutes.
    await writeFile(join(dir, "store.yml.lock"), JSON.stringify({ pid: process.pid, host: hostname(), command: "test", started_at: "now" }));
    const controller = new AbortController();
    const run = evaluateManifest(input(controller.signal), opts);
    await new Promise((r) => setTimeout(r, 300));
    const reason = interrupted();
    const aborted = Date.now();
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    // One wait interval (100 ms) at most; bounded loosely for a busy machine.
    expect(Date.now() - aborted).toBeLessThan(5000);
    await expect(stat(join(dir, "store.yml"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("an already aborted run generates nothing", async () => {
    await writeFile(join(dir, "m.yml"), yaml.dump({ p: "((pw))", variables: [{ name: "pw", type: "password" }] }));
    const controller = new AbortController();
    const reason = interrupted();
    controller.abort(reason);
    await expect(evaluateManifest(input(controller.signal), opts)).rejects.toBe(reason);
    await expect(stat(join(dir, "store.yml"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
