import { mkdtemp, readFile, rm, stat, writeFile, copyFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { evaluateManifest, type EvaluateInput } from "../../src/manifest/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vars-store-"));
});

const manifest = (variables: unknown[]) => yaml.dump({ name: "x", a: "((a))", p: "((pw))", variables });

function input(over: Partial<EvaluateInput> = {}): EvaluateInput {
  return {
    manifestPath: "m.yml",
    opsFiles: [],
    varFlags: { varsStore: "store.yml" },
    env: {},
    cwd: dir,
    generation: "write",
    ...over,
  };
}
const opts = { expectAllKeys: true, expectAllVarsUsed: false };
const readStore = async () => yaml.load(await readFile(join(dir, "store.yml"), "utf8")) as Record<string, unknown>;

describe("vars store", () => {
  it("generates typed variables into a new store (mode 0600) and never regenerates them", async () => {
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "password", options: { length: 5 } }]));
    const first = await evaluateManifest(input(), opts);
    expect(first.generated).toEqual(["pw", "a"]);
    const store = await readStore();
    expect(store["a"]).toMatch(/^[a-z0-9]{5}$/);
    expect((first.document as Record<string, unknown>)["p"]).toBe(store["pw"]);
    expect((await stat(join(dir, "store.yml"))).mode & 0o777).toBe(0o600);
    // resolved definitions are gone from the output
    expect((first.document as Record<string, unknown>)["variables"]).toEqual([]);

    // Changed options do not regenerate an existing value.
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password", options: { length: 40 } }, { name: "a", type: "password" }]));
    const second = await evaluateManifest(input(), opts);
    expect(second.generated).toEqual([]);
    expect(await readStore()).toEqual(store);
  });

  it("writes bosh-cli's bytes: sorted keys, the value generated last in field order (certificate, private_key, ca)", async () => {
    await writeFile(
      join(dir, "m.yml"),
      manifest([{ name: "ca", type: "certificate", options: { is_ca: true, common_name: "ca", key_length: 2048 } }, { name: "pw", type: "password" }, { name: "a", type: "certificate", options: { ca: "ca", common_name: "a", key_length: 2048 } }]),
    );
    await evaluateManifest(input(), opts);
    // The key lines of a store bosh-cli v7.9.13 wrote for the same variables.
    const keyLines = (await readFile(join(dir, "store.yml"), "utf8")).split("\n").filter((line) => /^\s*[a-z_]+:/.test(line)).map((line) => line.replace(/:.*/, ":"));
    expect(keyLines).toEqual(["a:", "  certificate:", "  private_key:", "  ca:", "ca:", "  ca:", "  certificate:", "  private_key:", "pw:"]);
  });

  it("keeps a hand-written store's dotted names as they are: not nested, not resolved, written back unchanged", async () => {
    // bosh-cli v7.9.13 leaves ((x.y)) unresolved for a store holding `x.y: 1` and writes `x.y: 1` back
    await writeFile(join(dir, "m.yml"), "a: ((x.y))\np: ((pw))\nvariables:\n- name: pw\n  type: password\n");
    await writeFile(join(dir, "store.yml"), "x.y: 1\n");
    const out = await evaluateManifest(input(), { expectAllKeys: false, expectAllVarsUsed: false });
    expect((out.document as Record<string, unknown>)["a"]).toBe("((x.y))");
    expect(await readFile(join(dir, "store.yml"), "utf8")).toMatch(/^pw: [a-z0-9]+\nx\.y: 1\n$/);
  });

  it("a flag value wins over the store and is never generated or written", async () => {
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "password" }]));
    const out = await evaluateManifest(input({ varFlags: { varsStore: "store.yml", vars: { a: "given" } } }), opts);
    expect(out.generated).toEqual(["pw"]);
    expect((out.document as Record<string, unknown>)["a"]).toBe("given");
    expect(Object.keys(await readStore())).toEqual(["pw"]);
  });

  it("saves each value right after generating it, so a later failure keeps earlier values", async () => {
    await writeFile(
      join(dir, "m.yml"),
      manifest([{ name: "pw", type: "password" }, { name: "a", type: "certificate", options: { common_name: "no ca" } }]),
    );
    const run = evaluateManifest(input(), opts);
    await expect(run).rejects.toMatchObject({ code: "VARIABLE_INVALID", message: "Generating variable 'a': Missing required CA name" });
    expect(Object.keys(await readStore())).toEqual(["pw"]);
  });

  it("dry-run generates in memory, reports the names and writes nothing", async () => {
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "password" }]));
    const out = await evaluateManifest(input({ generation: "dry-run" }), opts);
    expect(out.generated).toEqual(["pw", "a"]);
    await expect(stat(join(dir, "store.yml"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("read-only generates nothing: a typed variable the store lacks is missing, named with the others", async () => {
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "certificate", options: { is_ca: true } }]));
    await writeFile(join(dir, "store.yml"), "pw: from-store\n");
    const run = evaluateManifest(input({ generation: "read-only" }), opts);
    await expect(run).rejects.toMatchObject({ code: "VARIABLES_MISSING", names: ["a"] });
    expect(await readStore()).toEqual({ pw: "from-store" });
  });

  it("reads a store written by bosh-cli (fixture shape) and refuses one that is not a map", async () => {
    await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }]));
    await writeFile(join(dir, "store.yml"), "pw: from-store\na: also\n");
    const out = await evaluateManifest(input(), opts);
    expect(out.document).toMatchObject({ p: "from-store", a: "also" });
    await writeFile(join(dir, "store.yml"), "- a\n- b\n");
    await expect(evaluateManifest(input(), opts)).rejects.toMatchObject({ code: "VARS_STORE_INVALID" });
    await writeFile(join(dir, "store.yml"), "a: [\n");
    await expect(evaluateManifest(input(), opts)).rejects.toMatchObject({ code: "YAML_INVALID" });
  });

  it("certificates find their CA through the store, in declared order", async () => {
    await copyFile(join(__dirname, "fixtures", "director.yml"), join(dir, "m.yml"));
    await writeFile(join(dir, "store.yml"), "");
    const out = await evaluateManifest(input({ varFlags: { varsStore: "store.yml", varsFiles: [join(__dirname, "fixtures", "vars.yml")] } }), opts);
    expect(out.generated).toEqual(["nats_password", "mbus_password", "default_ca", "mbus_tls"]);
    const store = await readStore();
    expect((store["mbus_tls"] as Record<string, string>)["ca"]).toBe((store["default_ca"] as Record<string, string>)["certificate"]);
    expect(store["mbus_password"]).toMatch(/^[a-z0-9]{32}$/);
  });

  describe("shared by runs at once", () => {
    const twoRuns = async () => {
      await writeFile(join(dir, "a.yml"), yaml.dump({ name: "a", p: "((pw))", q: "((only_a))", variables: [{ name: "pw", type: "password" }, { name: "only_a", type: "password" }] }));
      await writeFile(join(dir, "b.yml"), yaml.dump({ name: "b", p: "((pw))", q: "((only_b))", variables: [{ name: "pw", type: "password" }, { name: "only_b", type: "password" }] }));
      // Both read the (empty) store before either generates anything.
      return Promise.all([evaluateManifest(input({ manifestPath: "a.yml" }), opts), evaluateManifest(input({ manifestPath: "b.yml" }), opts)]);
    };

    it("a value the other run generated meanwhile is taken, not generated again, and nothing either generated is lost", async () => {
      const [a, b] = await twoRuns();
      const store = await readStore();
      expect((a.document as Record<string, unknown>)["p"]).toBe(store["pw"]);
      expect((b.document as Record<string, unknown>)["p"]).toBe(store["pw"]);
      expect((a.document as Record<string, unknown>)["q"]).toBe(store["only_a"]);
      expect((b.document as Record<string, unknown>)["q"]).toBe(store["only_b"]);
      expect([...a.generated, ...b.generated].filter((n) => n === "pw")).toHaveLength(1);
      await expect(stat(join(dir, "store.yml.lock"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a run writing the store keeps what another wrote since it read it, and never replaces a value", async () => {
      await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "password" }]));
      await writeFile(join(dir, "store.yml"), "");
      const locked = join(dir, "store.yml.lock");
      // Held by a live process (this one): the run opens the store, then waits for the lock.
      await writeFile(locked, JSON.stringify({ pid: process.pid, host: hostname(), command: "test", started_at: "now" }));
      const run = evaluateManifest(input(), opts);
      await new Promise((r) => setTimeout(r, 300));
      await writeFile(join(dir, "store.yml"), "pw: from-the-other-run\nother: kept\n");
      await rm(locked);
      const out = await run;
      expect(out.document).toMatchObject({ p: "from-the-other-run" });
      expect(out.generated).toEqual(["a"]);
      expect(await readStore()).toMatchObject({ pw: "from-the-other-run", other: "kept", a: expect.stringMatching(/^[a-z0-9]+$/) });
    });

    it("takes over the lock of a run that is gone", async () => {
      await writeFile(join(dir, "m.yml"), manifest([{ name: "pw", type: "password" }, { name: "a", type: "password" }]));
      await writeFile(join(dir, "store.yml.lock"), JSON.stringify({ pid: 999_999_999, host: hostname(), command: "killed", started_at: "then" }));
      const out = await evaluateManifest(input(), opts);
      expect(out.generated).toEqual(["pw", "a"]);
      await expect(stat(join(dir, "store.yml.lock"))).rejects.toMatchObject({ code: "ENOENT" });
    });
  });
});
