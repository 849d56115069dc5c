/**
 * `npm run build` step after tsc: writes the local provider's artefacts into <repo>/artifacts/
 * and prints one line per artefact (name/version, path, sha256). The commit information in
 * the releases' release.MF comes from git (unknown outside a git checkout).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildArtifacts } from "./artifacts.js";

// dist/local/build/main.js and src/local/build/main.ts are both three levels below the root.
const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
const started = Date.now();
const built = await buildArtifacts({
  repoRoot,
  outDir: join(repoRoot, "artifacts"),
  baseVersion: packageJson.version,
  commitHash: git(["rev-parse", "--short=10", "HEAD"]) ?? "unknown",
  uncommittedChanges: (git(["status", "--porcelain", "--", "src/local"]) ?? "") !== "",
});
for (const a of built) {
  process.stdout.write(`${a.kind} ${a.name}/${a.version}  ${a.path}  sha256:${a.sha256}\n`);
}
process.stdout.write(`local provider artefacts built in ${Date.now() - started} ms\n`);
