import { describe, expect, it } from "vitest";
import { resolveJobProperties } from "../../src/director-release/templates/index.js";

const spec = {
  properties: {
    "a.b": { default: "default-ab" },
    "a.c": { default: "default-ac" },
    "x": {},
    "list": { default: [1] },
  },
};

type Sources = Parameters<typeof resolveJobProperties>[1];

describe("resolveJobProperties (bosh-cli precedence)", () => {
  it.each<[string, Sources, Record<string, unknown>]>([
    ["spec defaults when nothing is set (no default → null)", { global: {}, instanceGroup: {}, job: null },
      { a: { b: "default-ab", c: "default-ac" }, x: null, list: [1] }],
    ["global properties when the job has none", { global: { a: { b: "g" }, x: 1 }, instanceGroup: {}, job: null },
      { a: { b: "g", c: "default-ac" }, x: 1, list: [1] }],
    ["instance-group properties deep-merged over global", { global: { a: { b: "g", c: "gc" } }, instanceGroup: { a: { b: "ig" } }, job: null },
      { a: { b: "ig", c: "gc" }, x: null, list: [1] }],
    ["an instance-group null hides a global value (the default applies)", { global: { a: { b: "g" } }, instanceGroup: { a: { b: null } }, job: null },
      { a: { b: "default-ab", c: "default-ac" }, x: null, list: [1] }],
    ["an instance-group scalar replaces a global hash", { global: { a: { b: "g" } }, instanceGroup: { a: "flat" }, job: null },
      { a: { b: "default-ab", c: "default-ac" }, x: null, list: [1] }],
    ["arrays are replaced, not merged", { global: { list: [1, 2] }, instanceGroup: { list: [3] }, job: null },
      { a: { b: "default-ab", c: "default-ac" }, x: null, list: [3] }],
    ["job properties, when present, are the only source", { global: { x: "g" }, instanceGroup: { a: { b: "ig" } }, job: { a: { c: "job" } } },
      { a: { b: "default-ab", c: "job" }, x: null, list: [1] }],
    ["empty job properties still shadow global and instance group", { global: { x: "g" }, instanceGroup: { x: "ig" }, job: {} },
      { a: { b: "default-ab", c: "default-ac" }, x: null, list: [1] }],
    ["undeclared properties are dropped", { global: { other: 1, a: { b: "g", zz: 2 } }, instanceGroup: {}, job: null },
      { a: { b: "g", c: "default-ac" }, x: null, list: [1] }],
    ["false and 0 are values, not absence", { global: {}, instanceGroup: {}, job: { a: { b: false, c: 0 } } },
      { a: { b: false, c: 0 }, x: null, list: [1] }],
  ])("%s", (_name, sources, expected) => {
    expect(resolveJobProperties(spec, sources)).toEqual(expected);
  });

  it("never mutates or aliases its inputs", () => {
    const global = { a: { b: { deep: [1] } } };
    const instanceGroup = { a: { c: "ig" } };
    const before = JSON.stringify({ global, instanceGroup });
    const resolved = resolveJobProperties({ properties: { "a.b": {}, "a.c": {} } }, { global, instanceGroup, job: null });
    ((resolved["a"] as Record<string, { deep: number[] }>)["b"] as { deep: number[] }).deep.push(2);
    expect(JSON.stringify({ global, instanceGroup })).toBe(before);
  });

  it("lets a child path declared after its parent replace the parent's scalar default", () => {
    const resolved = resolveJobProperties({ properties: { a: { default: "scalar" }, "a.b": { default: 1 } } }, { global: {}, instanceGroup: {}, job: null });
    expect(resolved).toEqual({ a: { b: 1 } });
  });
});
