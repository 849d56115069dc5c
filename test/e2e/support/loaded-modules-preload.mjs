// Preloaded with --import into a run of the built CLI (see loaded-modules.ts): appends to the file
// its URL's `out` parameter names every module the process loads, ES modules as their resolve
// hook sees them (on the loader's thread, written at once) and CommonJS ones from require's cache
// at exit, and a `worker <entry>` line for each worker thread started (the embedded Ruby's thread
// runs with an empty environment, so no preload reaches it: its start is what is recorded).
import { appendFileSync } from "node:fs";
import { createRequire, register, syncBuiltinESMExports } from "node:module";

const out = new URL(import.meta.url).searchParams.get("out");
if (out !== null) {
  register("./loaded-modules-hooks.mjs", import.meta.url, { data: { out } });
  const threads = createRequire(import.meta.url)("node:worker_threads");
  const Worker = threads.Worker;
  threads.Worker = class extends Worker {
    constructor(entry, options) {
      appendFileSync(out, `worker ${String(entry)}\n`);
      super(entry, options);
    }
  };
  syncBuiltinESMExports();
  process.on("exit", () => appendFileSync(out, Object.keys(createRequire(import.meta.url).cache).map((path) => `${path}\n`).join("")));
}
