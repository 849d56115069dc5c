/**
 * How a job's properties are resolved, as bosh-cli's create-env does it (each expectation was
 * checked against the bosh-cli binary, see test/interop/rendering.test.ts): the job's own
 * properties when present, else global deep-merged with instance-group ones; every declared
 * name applied in sorted order, a set value winning over the spec default.
 */
import { describe, expect, it } from "vitest";
import { renderJobs, type JobSpec } from "../../src/director-release/templates/index.js";
import { toRender, unitRenderContext, writeJob } from "./job-fixture.js";

interface Sources {
  global?: Record<string, unknown>;
  instanceGroup?: Record<string, unknown>;
  job?: Record<string, unknown> | null;
}

async function resolved(properties: JobSpec["properties"], sources: Sources = {}, template = "<%= raw_properties.to_json %>"): Promise<string> {
  const job = await writeJob({ templates: { "t.erb": ["t", template] }, monit: "", properties });
  const ctx = unitRenderContext({ globalProperties: sources.global ?? {}, instanceGroupProperties: sources.instanceGroup ?? {} });
  const [rendered] = await renderJobs([toRender(job, sources.job ?? null)], ctx);
  return rendered?.files.find((f) => f.path === "t")?.content.toString() ?? "<missing>";
}

describe("property resolution (bosh-cli create-env)", () => {
  it("a default at a.b.c overrides the same key of a hash default at a.b, whatever order the spec lists them in", async () => {
    // given: the child listed first, so applying defaults in spec order would let the hash win
    const properties = { "a.b.c": { default: 5 }, "a.b": { default: { c: 1, d: 2 } } };
    // then: both names resolve (this used to fail with "Can't find property 'a.b.c'")
    expect(await resolved(properties)).toBe('{"a":{"b":{"c":5,"d":2}}}');
    expect(await resolved(properties, {}, "<%= p('a.b.c') %> <%= p('a.b').to_json %>")).toBe('5 {"c":5,"d":2}');
  });

  it("a deeper default adds to a hash default of an ancestor", async () => {
    expect(await resolved({ "deep.a.b.c": { default: "leaf" }, "deep.a": { default: { z: 1 } } })).toBe('{"deep":{"a":{"z":1,"b":{"c":"leaf"}}}}');
  });

  it.each<[string, Sources, string]>([
    ["a manifest hash replaces a hash default, a child default fills in what it lacks", { global: { p: { h: { y: 20 } } } }, '{"p":{"h":{"y":20,"x":10}}}'],
    ["a manifest child value wins over the child default", { global: { p: { h: { x: 7 } } } }, '{"p":{"h":{"x":7}}}'],
    ["nothing set: the hash default, its child overridden by the child default", {}, '{"p":{"h":{"x":10,"y":2}}}'],
  ])("%s", async (_name, sources, expected) => {
    expect(await resolved({ "p.h.x": { default: 10 }, "p.h": { default: { x: 1, y: 2 } } }, sources)).toBe(expected);
  });

  it.each<[string, Sources, string]>([
    ["instance group over global, hashes merged, global keys first", { global: { m: { g: 1, s: "g" } }, instanceGroup: { m: { i: 2, s: "ig" } } }, '{"m":{"g":1,"s":"ig","i":2}}'],
    ["a null in the manifest means the default", { instanceGroup: { m: null } }, '{"m":"spec"}'],
    ["the job's own properties are the only source", { global: { m: "g" }, instanceGroup: { m: "ig" }, job: { m: "job" } }, '{"m":"job"}'],
    ["present but empty job properties still hide global and instance-group ones", { global: { m: "g" }, instanceGroup: { m: "ig" }, job: {} }, '{"m":"spec"}'],
  ])("%s", async (_name, sources, expected) => {
    expect(await resolved({ m: { default: "spec" } }, sources)).toBe(expected);
  });

  it("gives hashes Go's key order: sorted bytes, integer-like keys included", async () => {
    const out = await resolved({ "10": { default: 1 }, "9": { default: 2 }, Upper: { default: 3 }, alpha: { default: 4 }, h: {} }, {
      global: { h: { z: 1, b: 2, "10": 3, "9": 4 } },
    });
    expect(out).toBe('{"10":1,"9":2,"Upper":3,"alpha":4,"h":{"10":3,"9":4,"b":2,"z":1}}');
  });

  it("shows in spec.default_properties the hash defaults as resolution left them", async () => {
    const out = await resolved({ "n.x": { default: 1 }, n: { default: { y: 2 } } }, {}, "<%= spec.default_properties['n'].to_h.to_json %>");
    expect(out).toBe('{"y":2,"x":1}');
  });

  it("only declared properties are visible; p() of a parent returns the resolved subtree", async () => {
    const out = await resolved({ "s.a": { default: 1 }, "s.b": {} }, { global: { s: { b: 2, undeclared: 3 } } }, "<%= p('s').to_json %>");
    expect(out).toBe('{"a":1,"b":2}');
  });

  it("a string where a declared name needs a hash is indexed as bosh-cli's Ruby does (String#[])", async () => {
    expect(await resolved({ "q.sub": { default: "d" }, "q.none": { default: "d" } }, { global: { q: "substring" } })).toBe('{"q":{"none":"d","sub":"sub"}}');
  });

  it("fails naming both properties when a shorter name resolved to a non-hash (bosh-cli crashes there)", async () => {
    const error = await resolved({ a: { default: "scalar" }, "a.b": { default: 1 } }).catch((e: unknown) => e);
    // every template of the job fails (monit included): the properties are resolved before any renders
    expect((error as Error).message).toContain(
      "Error filling in template 't.erb' for director/0 (line unknown: PropertyConflict: Can't resolve property 'a.b': " +
        "property 'a' is a String (from the job spec's default or the manifest), not a hash)",
    );
  });
});
