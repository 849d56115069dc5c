/**
 * Build step: bundles the CLI into dist/bundle/ with esbuild. Node spends most of a short run
 * resolving and loading hundreds of small ES modules; one bundle (split so that what a command
 * imports lazily stays lazy) makes `--version` and a no-op deploy start several times faster.
 * The embedded Ruby (a wasm file and its loader) stays external. ssh2 is bundled like any other
 * dependency, without its optional native helpers (cpu-features, sshcrypto.node: ssh2 falls back
 * to its JavaScript code, as in the local provider's bundle): as a dependency of the package it
 * made `npm install -g` compile C++ with node-gyp, most of the install's time.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { EXTRA_CA_CERTS_HANDOVER } from "../artefacts/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

// Chunk names carry content hashes: without this, every build left the previous ones behind.
rmSync(join(root, "dist/bundle"), { recursive: true, force: true });

await build({
  // The embedded Ruby's process is an entry of its own, beside the chunks that start it (ruby-process.ts);
  // the library (package.json exports) is one too, sharing its chunks with the CLI.
  entryPoints: {
    bootstrap: join(root, "src/cli/bin.ts"),
    index: join(root, "src/api/index.ts"),
    "ruby-process-main": join(root, "src/director-release/templates/ruby-process-main.ts"),
  },
  outdir: join(root, "dist/bundle"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["@ruby/*", "cpu-features", "*.node"],
  define: { BOOTSTRAP_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies call require() and use __dirname (ssh2); give them both in ESM.
  banner: {
    js: [
      "import { createRequire as __bootstrapCreateRequire } from 'node:module';",
      "import { fileURLToPath as __bootstrapFileURLToPath } from 'node:url';",
      "import { dirname as __bootstrapDirname } from 'node:path';",
      "const require = __bootstrapCreateRequire(import.meta.url);",
      "const __filename = __bootstrapFileURLToPath(import.meta.url);",
      "const __dirname = __bootstrapDirname(__filename);",
    ].join(" "),
  },
  logLevel: "warning",
});

// The bin starts as a shell script, and its second line is also JavaScript: a string, then a
// comment. sh moves NODE_EXTRA_CA_CERTS aside and runs node on the same file, whose hashbang line
// node skips. Node reads NODE_EXTRA_CA_CERTS's file before any code runs (~40 ms where it names a
// system bundle, as on CI machines), and only a download needs it: extra-ca-trust.ts reads it then.
// `node bootstrap.js` skips the launcher, and Node trusts the file itself.
const LAUNCHER = [
  "#!/bin/sh",
  `":" //; if [ -n "\${NODE_EXTRA_CA_CERTS-}" ]; then ${EXTRA_CA_CERTS_HANDOVER}=$NODE_EXTRA_CA_CERTS; export ${EXTRA_CA_CERTS_HANDOVER}; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"`,
].join("\n");
const bin = join(root, "dist/bundle/bootstrap.js");
const bundled = readFileSync(bin, "utf8");
const hashbang = "#!/usr/bin/env node\n";
if (!bundled.startsWith(hashbang)) throw new Error(`${bin} does not start with bin.ts's hashbang line`);
writeFileSync(bin, `${LAUNCHER}\n${bundled.slice(hashbang.length)}`);
// One line more at the top: each ';' of a source map's mappings starts the next generated line.
const map = JSON.parse(readFileSync(`${bin}.map`, "utf8")) as { mappings: string };
map.mappings = `;${map.mappings}`;
writeFileSync(`${bin}.map`, JSON.stringify(map));
