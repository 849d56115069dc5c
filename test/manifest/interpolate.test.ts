import { describe, expect, it } from "vitest";
import { interpolateDocument } from "../../src/manifest/variables/interpolate.js";
import { MultiSource, StaticSource, type VariableDefinition, type VariableSource, type Lookup } from "../../src/manifest/variables/sources.js";
import { parseVarValue } from "../../src/manifest/variables/static-vars.js";
import { BootstrapError } from "../../src/common/index.js";

/** A source that "generates" typed variables from a counter, recording what it was asked. */
class FakeStore implements VariableSource {
  readonly asked: VariableDefinition[] = [];
  private readonly values: Record<string, unknown> = {};
  async get(def: VariableDefinition): Promise<Lookup> {
    this.asked.push(def);
    if (def.name in this.values) return { found: true, value: this.values[def.name] };
    if (def.type === undefined) return { found: false };
    this.values[def.name] = { certificate: `${def.type} ${def.name}`, options: def.options };
    return { found: true, value: this.values[def.name] };
  }
  names(): string[] {
    return Object.keys(this.values);
  }
}

const vars = {
  s: "str",
  n: 42,
  f: 1.5,
  b: true,
  m: { k: { sub: "deep" }, list: ["a", "b"], "0": "zero-key" },
  l: [1, 2],
};

describe("interpolation", () => {
  const cases: { name: string; input: unknown; expected: unknown }[] = [
    { name: "whole string keeps a string", input: "((s))", expected: "str" },
    { name: "whole value keeps a number", input: "((n))", expected: 42 },
    { name: "whole value keeps a boolean", input: "((b))", expected: true },
    { name: "whole value keeps a map", input: { a: "((m))" }, expected: { a: vars.m } },
    { name: "whole value keeps a list", input: ["((l))"], expected: [[1, 2]] },
    { name: "((!name)) is the same variable", input: "((!s))", expected: "str" },
    { name: "spaces inside the brackets", input: "(( s ))", expected: "str" },
    { name: "inside a string: strings and integers", input: "a-((s))-((n))-((!s))", expected: "a-str-42-str" },
    { name: "dotted path descends", input: "((m.k.sub))", expected: "deep" },
    { name: "dotted path into a list by index", input: "((m.list.1))", expected: "b" },
    { name: "a numeric key falls back to the map key", input: "((m.0))", expected: "zero-key" },
    { name: "map keys are interpolated", input: { "((s))": 1 }, expected: { str: 1 } },
    { name: "missing stays as written", input: "x-((nope))", expected: "x-((nope))" },
    { name: "non-string scalars pass through", input: [1, null, false], expected: [1, null, false] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const result = await interpolateDocument(c.input, new StaticSource(vars));
      expect(result.document).toEqual(c.expected);
    });
  }

  it("refuses maps, floats and booleans inside a longer string", async () => {
    for (const ref of ["m", "f", "b"]) {
      const run = interpolateDocument(`x ((${ref}))`, new StaticSource(vars));
      await expect(run).rejects.toThrow(`Supported types for interpolation within a string are integers and strings.`);
      await expect(run).rejects.toMatchObject({ code: "VARIABLE_INVALID" });
    }
  });

  it("reports a path that does not exist inside a value", async () => {
    await expect(interpolateDocument("((m.k.nope))", new StaticSource(vars))).rejects.toThrow(
      "Finding variable 'm.k.nope': Expected to find a map key 'nope' for path '/k/nope' (found map keys: 'sub')",
    );
  });

  it("collects missing and unused names, sorted", async () => {
    const result = await interpolateDocument({ a: "((zz))", b: "((aa)) ((s))" }, new StaticSource({ s: 1, unused1: 2 }));
    expect(result.missing).toEqual(["aa", "zz"]);
    expect(result.unused).toEqual(["unused1"]);
  });

  it("resolves typed definitions in declared order, options interpolated first, and removes resolved ones", async () => {
    const store = new FakeStore();
    const doc = {
      cert: "((leaf.certificate))",
      options: "((leaf.options))",
      variables: [
        { name: "ca", type: "certificate", options: { is_ca: true } },
        { name: "leaf", type: "certificate", options: { ca: "ca", alternative_names: ["((ip))"] } },
        { name: "untyped_missing" },
      ],
    };
    const result = await interpolateDocument(doc, new MultiSource([new StaticSource({ ip: "10.0.0.6" }), store]));
    expect(store.asked.filter((d) => d.type !== undefined).map((d) => d.name).slice(0, 2)).toEqual(["ca", "leaf"]);
    expect(result.document).toEqual({
      cert: "certificate leaf",
      options: { ca: "ca", alternative_names: ["10.0.0.6"] },
      variables: [{ name: "untyped_missing" }],
    });
    expect(result.missing).toEqual(["untyped_missing"]);
  });

  it("does not resolve a definition whose options need a missing variable, and reports that variable", async () => {
    const store = new FakeStore();
    const doc = { x: "((leaf))", variables: [{ name: "leaf", type: "certificate", options: { common_name: "((ip))" } }] };
    const result = await interpolateDocument(doc, store);
    expect(result.missing).toEqual(["ip"]);
    expect(store.names()).toEqual([]);
    expect(result.document).toEqual(doc);
  });

  it("detects recursion between definitions", async () => {
    const doc = {
      variables: [
        { name: "a", type: "password", options: { length: "((b))" } },
        { name: "b", type: "password", options: { length: "((a))" } },
      ],
    };
    const run = interpolateDocument(doc, new FakeStore());
    await expect(run).rejects.toThrow("Detected recursion");
    await expect(run).rejects.toBeInstanceOf(BootstrapError);
  });

  it("nests dotted flag names like bosh-cli's static variables", async () => {
    const result = await interpolateDocument("((a.b))", new StaticSource({ "a.b": "nested" }));
    expect(result.document).toBe("nested");
  });
});

describe("-v NAME=VALUE values (bosh-cli VarKV rules)", () => {
  const cases: [string, unknown][] = [
    ["plain", "plain"],
    ["25555", 25555],
    ["true", true],
    ["[a, b]", ["a", "b"]],
    ["{k: v}", { k: "v" }],
    ['"quoted"', "quoted"],
    ["'single'", "single"],
    ['"25555"', "25555"],
    ["10.0.0.6", "10.0.0.6"],
    ["a: b: c", undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`${raw}`, () => {
      if (expected === undefined) expect(() => parseVarValue("x", raw)).toThrow(BootstrapError);
      else expect(parseVarValue("x", raw)).toEqual(expected);
    });
  }
});
