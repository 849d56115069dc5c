import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assertYamlWithinLimits, BootstrapError, loadBoundedYaml, YAML_LIMITS } from "../../src/common/index.js";
import { ORDINARY_WITH_ALIASES, YAML_BOMBS } from "./yaml-bombs.js";

/**
 * Each bomb is refused in milliseconds; before the limits, the billion laughs parsed at once and
 * then took minutes and gigabytes in whatever walked it. No wall-clock bound here (a busy machine
 * makes a test slower, never red): the unit layer's test timeout catches an expansion coming back.
 */
function refusal(text: string, file: string): unknown {
  try {
    loadBoundedYaml(text, file);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("loadBoundedYaml", () => {
  it.each(YAML_BOMBS)("refuses $name with YAML_TOO_LARGE naming the file", ({ text }) => {
    const error = refusal(text, "bomb.yml");
    expect(error).toBeInstanceOf(BootstrapError);
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringMatching(/^bomb\.yml /), hint: expect.stringContaining("aliases") });
  });

  it("reads anchors, aliases and merge keys as before", () => {
    const doc = loadBoundedYaml(ORDINARY_WITH_ALIASES, "ok.yml") as { groups: unknown[] };
    expect(doc.groups).toEqual([
      { instances: 1, azs: ["z1", "z2", "z3"], vm_type: "default", name: "a" },
      { instances: 2, azs: ["z1", "z2", "z3"], vm_type: "default", name: "b" },
    ]);
  });

  it("takes a document right at the limits and refuses one step beyond", () => {
    // Depth: a value nested exactly maxDepth levels (the document itself is level 1).
    const nested = (levels: number): string => `${"[".repeat(levels - 1)}x${"]".repeat(levels - 1)}`;
    expect(() => loadBoundedYaml(nested(YAML_LIMITS.maxDepth), "at.yml")).not.toThrow();
    expect(() => loadBoundedYaml(nested(YAML_LIMITS.maxDepth + 1), "over.yml")).toThrow(expect.objectContaining({ code: "YAML_TOO_LARGE" }));
    // Nodes: a list and its items.
    const list = (items: number): string => `[${Array(items).fill("1").join(",")}]`;
    expect(() => loadBoundedYaml(list(YAML_LIMITS.maxNodes - 1), "at.yml")).not.toThrow();
    expect(() => loadBoundedYaml(list(YAML_LIMITS.maxNodes), "over.yml")).toThrow(expect.objectContaining({ code: "YAML_TOO_LARGE" }));
  });

  it("counts an alias every time it is used, also below the parser's own node count", () => {
    // 1 000 items, each the same 300-item list: 2 300 nodes to parse, 301 000 when written out.
    const text = `row: &row [${Array(300).fill("1").join(",")}]\nrows: [${Array(1000).fill("*row").join(",")}]\n`;
    expect(() => loadBoundedYaml(text, "rows.yml")).toThrow(expect.objectContaining({ code: "YAML_TOO_LARGE", message: expect.stringContaining("more than 200000 values") }));
  });

  it("uses the caller's hint and schema, and leaves syntax errors to the caller", () => {
    expect(() => loadBoundedYaml(YAML_BOMBS[0]!.text, "release.MF in 'r.tgz'", { hint: "Download it again." })).toThrow(
      expect.objectContaining({ code: "YAML_TOO_LARGE", hint: "Download it again." }),
    );
    expect(() => loadBoundedYaml("a: [", "broken.yml")).toThrow(expect.objectContaining({ name: "YAMLException" }));
  });
});

describe("assertYamlWithinLimits", () => {
  it("measures a value built from shared parts (a manifest after interpolation) as written out", () => {
    const shared = Array.from({ length: 1000 }, (_, i) => `value-${i}`);
    expect(() => assertYamlWithinLimits({ a: shared, b: shared }, "Manifest 'm.yml'")).not.toThrow();
    const many = { refs: Array.from({ length: 300 }, () => shared) };
    expect(() => assertYamlWithinLimits(many, "Manifest 'm.yml' with its ops files and variables")).toThrow(
      expect.objectContaining({ code: "YAML_TOO_LARGE", message: expect.stringMatching(/^Manifest 'm\.yml' with its ops files and variables has more than/) }),
    );
  });
});

describe("the one YAML reader", () => {
  it("is the only caller of js-yaml's load in src/ (everything else parses through it)", () => {
    const src = resolve(import.meta.dirname, "../../src");
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const loaders: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(src, file), "utf8");
      const named = /import\s*\{([^}]*)\}\s*from\s*"js-yaml"/.exec(text)?.[1] ?? "";
      const whole = /import\s+(?:\*\s+as\s+)?(\w+)\s+from\s*"js-yaml"/.exec(text)?.[1];
      const callsLoad = /\bload(All)?\b/.test(named) || (whole !== undefined && new RegExp(`\\b${whole}\\.load(All)?\\(`).test(text));
      if (callsLoad) loaders.push(file);
    }
    expect(loaders).toEqual(["common/bounded-yaml.ts"]);
  });
});
