/**
 * esbuild bundles of the provider's programs: one self-contained ES module per entry point, run
 * with plain `node` (no node_modules at run time). ssh2's optional native helpers
 * (cpu-features, sshcrypto.node) are left out: ssh2 falls back to its JavaScript code.
 */
import { dirname, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

/**
 * src/common is one index of small modules without import-time effects; saying so lets esbuild
 * drop the ones a program does not use, and their dependencies (js-yaml was a sixth of the CPI,
 * which parses no YAML, and loading it was paid on every CPI call).
 */
const commonHasNoSideEffects: Plugin = {
  name: "common-has-no-side-effects",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const path = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
      return dirname(path).endsWith("/src/common") ? { path, sideEffects: false } : undefined;
    });
  },
};

export async function bundle(entryPoint: string): Promise<Buffer> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    minify: false,
    legalComments: "eof",
    logLevel: "silent",
    external: ["cpu-features", "*.node"],
    plugins: [commonHasNoSideEffects],
    // CommonJS dependencies (ssh2) call require() and use __dirname: give the ES module both.
    banner: {
      js: [
        'import { createRequire as __bootstrapCreateRequire } from "node:module";',
        'import { fileURLToPath as __bootstrapFileURLToPath } from "node:url";',
        'import { dirname as __bootstrapDirname } from "node:path";',
        "const require = __bootstrapCreateRequire(import.meta.url);",
        "const __filename = __bootstrapFileURLToPath(import.meta.url);",
        "const __dirname = __bootstrapDirname(__filename);",
      ].join("\n"),
    },
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return Buffer.from(output.contents);
}

/** Marks a directory of bundles as ES modules for node. */
export const ESM_PACKAGE_JSON = Buffer.from('{"type":"module"}\n');
