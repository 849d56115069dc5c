/**
 * What the built CLI loads before it knows the command: the entry and the chunks it imports
 * statically. `--version`, `--help` and flag errors must not pay for the deploy machinery
 * (ssh2, X.509, YAML, tar, the CPI runner): those chunks are imported when a command runs.
 * And what the deploy machinery loads before it knows what to do: what a no-op deploy runs on
 * must not pull in what only creating things needs (lifecycle.test.ts watches a real no-op).
 * Needs the build (npm test builds first).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "../e2e/support/cli.js";

/** Heavy if a chunk holds a module from one of these (esbuild marks each with a `// path` line). */
const only = (text: string, heavy: readonly string[]): string[] => heavy.filter((h) => text.includes(h));

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

describe("the deploy machinery's code", () => {
  it("imports the certificate generator, tar, execa, ssh2 and the embedded Ruby only on first use", () => {
    const dir = dirname(cliPath);
    const chunk = readdirSync(dir).find((f) => f.endsWith(".js") && readFileSync(join(dir, f), "utf8").includes("// src/bootstrap/deploy-command.ts"));
    expect(chunk, "the chunk holding src/bootstrap/deploy-command.ts").toBeDefined();
    const text = [...staticGraph(join(dir, chunk!)).values()].join("\n");
    // The manifest's code is in it (a no-op parses and checks the manifest)...
    expect(text).toContain("// src/manifest/credentials/check-credentials.ts");
    // ...but nothing only generating, extracting, spawning, tunnelling or rendering needs.
    const heavy = ["node_modules/@peculiar/x509", "node_modules/reflect-metadata", "node_modules/tar/", "node_modules/execa/", "node_modules/listr2"];
    expect(only(text, heavy)).toEqual([]);
    expect(text).not.toMatch(/from\s+["'](ssh2|@ruby\/[^"']*)["']/);
  });
});
