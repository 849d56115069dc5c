/**
 * What the built CLI loads before it knows the command: the entry and the chunks it imports
 * statically. `--version`, `--help` and flag errors must not pay for the deploy machinery
 * (ssh2, X.509, YAML, tar, the CPI runner): those chunks are imported when a command runs.
 * Needs the build (npm test builds first).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "../e2e/support/cli.js";

function staticGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    const text = readFileSync(path, "utf8");
    seen.set(path, text);
    // Static imports only: `import … from "./x.js"` and bare `import "./x.js"`, never `import("./x.js")`.
    for (const m of text.matchAll(/^\s*import\s+(?:[^"'();]*?\s+from\s+)?["'](\.\/[^"']+)["']/gm)) visit(join(dirname(path), m[1]!));
  };
  visit(entry);
  return seen;
}

describe("the CLI's start-up", () => {
  it("loads only the command parser and the CLI's own code before a command runs", () => {
    const graph = staticGraph(cliPath);
    const text = [...graph.values()].join("\n");
    expect(graph.size).toBeGreaterThan(0);
    // (js-yaml still loads: esbuild splits chunks by module, and src/common's one index, which
    // the CLI's own code uses, re-exports the bounded YAML reader.)
    for (const heavy of ["node_modules/@peculiar/x509", "node_modules/tar/", "node_modules/listr2", "src/bootstrap/", "src/cpi-runner/", "src/agent-client/"]) {
      expect(text.includes(`// ${heavy}`) || text.includes(heavy), `${heavy} is loaded at start-up`).toBe(false);
    }
    expect(text).not.toMatch(/from\s+["']ssh2["']/);
  });
});
