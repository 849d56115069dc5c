/**
 * What a run of the built CLI loaded: the environment that makes it record its modules, and
 * which of the heavy dependencies a cheap command must not need showed up. A bundle chunk is
 * judged by its content (esbuild marks each module it holds with a `// path` line), since chunk
 * names are content hashes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PRELOAD = pathToFileURL(join(fileURLToPath(new URL(".", import.meta.url)), "loaded-modules-preload.mjs")).href;

/** Dependencies only creating things needs: certificate generation, tarballs, processes, SSH, ERB (Ruby runs on a worker thread). */
const HEAVY = ["node_modules/@peculiar/x509", "node_modules/reflect-metadata", "node_modules/tar/", "node_modules/execa/", "node_modules/ssh2/", "node_modules/@ruby/"];

export function loadedModulesEnv(out: string): Record<string, string> {
  return { NODE_OPTIONS: `--import ${PRELOAD}?out=${encodeURIComponent(out)}` };
}

/** The heavy dependencies the recorded run loaded, and the worker threads it started; empty when none. */
export function heavyModulesLoaded(out: string): string[] {
  const found = new Set<string>();
  for (const line of new Set(readFileSync(out, "utf8").split("\n"))) {
    if (line.startsWith("worker ")) found.add(`a worker thread (${line.slice("worker ".length)})`);
    if (line === "" || line.startsWith("worker ")) continue;
    const path = line.startsWith("file:") ? fileURLToPath(line) : line;
    const text = path.includes("/dist/bundle/") ? readFileSync(path, "utf8") : path;
    for (const heavy of HEAVY) if (text.includes(heavy)) found.add(heavy);
  }
  return [...found];
}
