import { describe, expect, it } from "vitest";
import { applyOps, findValue, formatPointer, parseOps, parsePointer } from "../../src/manifest/index.js";
import { BootstrapError } from "../../src/common/index.js";

const doc = () => ({
  name: "bosh",
  releases: [
    { name: "bosh", version: "1" },
    { name: "bpm", version: "2" },
  ],
  instance_groups: [{ name: "bosh", jobs: [{ name: "nats" }, { name: "director" }] }],
  "a/b": { "c~d": 1, "e:f": 2 },
});

const apply = (ops: unknown[], input: unknown = doc()) => applyOps(input, [parseOps(ops, "ops.yml")]);

describe("go-patch replace/remove", () => {
  const cases: { name: string; ops: unknown[]; check: (out: any) => unknown; expected: unknown }[] = [
    { name: "replace a map key", ops: [{ type: "replace", path: "/name", value: "x" }], check: (o) => o.name, expected: "x" },
    { name: "replace the whole document", ops: [{ type: "replace", path: "", value: { a: 1 } }], check: (o) => o, expected: { a: 1 } },
    { name: "replace by index", ops: [{ type: "replace", path: "/releases/0/version", value: "9" }], check: (o) => o.releases[0].version, expected: "9" },
    { name: "replace by negative index", ops: [{ type: "replace", path: "/releases/-1/version", value: "9" }], check: (o) => o.releases[1].version, expected: "9" },
    { name: "append with /-", ops: [{ type: "replace", path: "/releases/-", value: { name: "cpi" } }], check: (o) => o.releases.map((r: any) => r.name), expected: ["bosh", "bpm", "cpi"] },
    { name: "match by name=value", ops: [{ type: "replace", path: "/releases/name=bpm/version", value: "3" }], check: (o) => o.releases[1].version, expected: "3" },
    { name: "nested matching", ops: [{ type: "replace", path: "/instance_groups/name=bosh/jobs/name=nats/properties?/port", value: 4222 }], check: (o) => o.instance_groups[0].jobs[0].properties, expected: { port: 4222 } },
    { name: "optional key creates maps", ops: [{ type: "replace", path: "/a?/b/c", value: 1 }], check: (o) => o.a, expected: { b: { c: 1 } } },
    { name: "optional matching appends an item", ops: [{ type: "replace", path: "/releases/name=cpi?/url", value: "u" }], check: (o) => o.releases[2], expected: { name: "cpi", url: "u" } },
    { name: "optional matching as last appends the value", ops: [{ type: "replace", path: "/releases/name=cpi?", value: { name: "cpi" } }], check: (o) => o.releases.length, expected: 3 },
    { name: "optional key then /- creates a list", ops: [{ type: "replace", path: "/tags?/-", value: "t" }], check: (o) => o.tags, expected: ["t"] },
    { name: "~1 and ~0 escapes", ops: [{ type: "replace", path: "/a~1b/c~0d", value: 5 }], check: (o) => o["a/b"]["c~d"], expected: 5 },
    { name: "~7 escapes a colon", ops: [{ type: "replace", path: "/a~1b/e~7f", value: 6 }], check: (o) => o["a/b"]["e:f"], expected: 6 },
    { name: ":before inserts", ops: [{ type: "replace", path: "/releases/name=bpm:before", value: { name: "x" } }], check: (o) => o.releases.map((r: any) => r.name), expected: ["bosh", "x", "bpm"] },
    { name: ":after inserts", ops: [{ type: "replace", path: "/releases/0:after", value: { name: "x" } }], check: (o) => o.releases.map((r: any) => r.name), expected: ["bosh", "x", "bpm"] },
    { name: ":next moves on", ops: [{ type: "replace", path: "/releases/0:next/version", value: "n" }], check: (o) => o.releases[1].version, expected: "n" },
    { name: "remove a key", ops: [{ type: "remove", path: "/name" }], check: (o) => "name" in o, expected: false },
    { name: "remove by match", ops: [{ type: "remove", path: "/releases/name=bosh" }], check: (o) => o.releases, expected: [{ name: "bpm", version: "2" }] },
    { name: "remove of a missing optional key is a no-op", ops: [{ type: "remove", path: "/nope?" }], check: (o) => Object.keys(o).length, expected: 4 },
    { name: "remove of a missing optional match is a no-op", ops: [{ type: "remove", path: "/releases/name=nope?" }], check: (o) => o.releases.length, expected: 2 },
    { name: "value is copied, not shared", ops: [{ type: "replace", path: "/x?", value: { y: 1 } }, { type: "replace", path: "/z?", value: { y: 1 } }, { type: "replace", path: "/x/y", value: 2 }], check: (o) => o.z.y, expected: 1 },
    { name: "test op passes on equal value", ops: [{ type: "test", path: "/name", value: "bosh" }], check: (o) => o.name, expected: "bosh" },
    { name: "test absent passes on missing key", ops: [{ type: "test", path: "/nope", absent: true }], check: (o) => o.name, expected: "bosh" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(c.check(apply(c.ops))).toEqual(c.expected);
    });
  }
});

describe("go-patch errors use go-patch's wording with the op index and path", () => {
  const cases: { name: string; ops: unknown[]; message: string }[] = [
    { name: "missing key", ops: [{ type: "replace", path: "/name", value: 1 }, { type: "replace", path: "/cloud_provider/x", value: 1 }], message: "Ops file 'ops.yml' operation [1] (replace '/cloud_provider/x'): Expected to find a map key 'cloud_provider' for path '/cloud_provider' (found map keys: 'a/b', 'instance_groups', 'items', 'name', 'releases')" },
    { name: "missing index", ops: [{ type: "replace", path: "/releases/5/name", value: 1 }], message: "Expected to find array index '5' but found array of length '2' for path '/releases/5'" },
    { name: "no match", ops: [{ type: "remove", path: "/releases/name=cpi" }], message: "Expected to find exactly one matching array item for path '/releases/name=cpi' but found 0" },
    { name: "type mismatch", ops: [{ type: "replace", path: "/name/0", value: 1 }], message: "Expected to find an array at path '/name/0' but found 'string'" },
    { name: "replace of a missing key needs '?'", ops: [{ type: "replace", path: "/new", value: 1 }], message: "Expected to find a map key 'new' for path '/new'" },
    { name: "map expected", ops: [{ type: "replace", path: "/releases/x", value: 1 }], message: "Expected to find a map at path '/releases/x' but found '[]interface {}'" },
    { name: "error field prefixes the message", ops: [{ type: "remove", path: "/nope", error: "no nope" }], message: "Error 'no nope': Expected to find a map key 'nope' for path '/nope'" },
    { name: "test op mismatch", ops: [{ type: "test", path: "/name", value: "x" }], message: "Found value does not match expected value" },
    { name: "integer values never match name=1", ops: [{ type: "remove", path: "/items/n=1" }], message: "for path '/items/n=1' but found 0" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = { ...doc(), items: [{ n: 1 }] };
      const run = () => apply(c.ops, input);
      expect(run).toThrow(BootstrapError);
      try {
        run();
      } catch (error) {
        expect((error as BootstrapError).code).toBe("OPS_INVALID");
        expect((error as BootstrapError).message).toContain(c.message);
      }
    });
  }

  it("rejects malformed operations when parsing, naming the op index", () => {
    const bad: [unknown[], string][] = [
      [[{ type: "replace", path: "/a" }], "Ops file 'ops.yml': Replace operation [0]: Missing value"],
      [[{ type: "remove", path: "/a", value: 1 }], "Remove operation [0]: Cannot specify value"],
      // bosh-cli (go-patch) reads a null value as no value
      [[{ type: "replace", path: "/a", value: null }], "Replace operation [0]: Missing value"],
      [[{ type: "test", path: "/a", value: null }], "Test operation [0]: Missing value or absent"],
      [[{ type: "replace", value: 1 }], "Replace operation [0]: Missing path"],
      [[{ type: "replace", path: "/a", value: 1 }, { type: "move", path: "/a" }], "Unknown operation [1]: with type 'move'"],
      [[{ type: "replace", path: "a", value: 1 }], "Invalid path: Expected to start with '/'"],
      [[{ type: "replace", path: "/a:sideways", value: 1 }], "Expected to find one of the following modifiers"],
    ];
    for (const [ops, message] of bad) {
      expect(() => parseOps(ops, "ops.yml")).toThrow(message);
    }
    expect(() => parseOps({ type: "replace" }, "ops.yml")).toThrow("must be a YAML list");
    expect(parseOps([{ type: "remove", path: "/a", value: null }], "ops.yml").ops).toHaveLength(1);
  });
});

describe("pointers", () => {
  it("prints paths the way go-patch does (one '?' marks where optional starts)", () => {
    for (const [input, printed] of [
      ["/a?/b/c", "/a?/b/c"],
      ["/a/name=x?/c", "/a/name=x?/c"],
      ["/a~1b/c~0d", "/a~1b/c~0d"],
      ["/r/0:prev:after", "/r/0:prev:after"],
      ["/r/-", "/r/-"],
    ] as const) {
      expect(formatPointer(parsePointer(input))).toBe(printed);
    }
  });

  it("find reads values, optional segments yield null", () => {
    expect(findValue(doc(), parsePointer("/releases/name=bpm/version"))).toBe("2");
    expect(findValue(doc(), parsePointer("/nope?/x"))).toBeNull();
    expect(() => findValue(doc(), parsePointer("/releases/-"))).toThrow("not supported in find operations");
  });
});

describe("YAML reading like bosh-cli's yaml.v2", () => {
  it("reads YAML 1.1 booleans and legacy octal, keeps timestamps as strings, quotes ambiguous strings on output", async () => {
    const { parseYaml, dumpYaml } = await import("../../src/manifest/index.js");
    expect(parseYaml("a: yes\nb: off\nc: 0644\nd: 2001-12-14\ne: 010x\nf: true\n", "t.yml")).toEqual({ a: true, b: false, c: 420, d: "2001-12-14", e: "010x", f: true });
    // yaml.v2 drops underscores from numbers: `4_096` is 4096, `1_000.5` is 1000.5; `_1` stays a string
    expect(parseYaml("a: 4_096\nb: 1_000.5\nc: _1\nd: 0_644\ne: -.5\nf: +.5e1\n", "t.yml")).toEqual({ a: 4096, b: 1000.5, c: "_1", d: 420, e: -0.5, f: 5 });
    const text = dumpYaml({ p: "y", q: "0644", r: "12", s: "plain", t: false });
    // bosh int prints these bytes for the same document (go-yaml v2 double-quotes such strings)
    expect(text).toBe('p: "y"\nq: "0644"\nr: "12"\ns: plain\nt: false\n');
    expect(parseYaml(text, "t.yml")).toEqual({ p: "y", q: "0644", r: "12", s: "plain", t: false });
  });
});
