/**
 * Rendering 50 ERB templates (issue #4 item 6):
 *  (a) first render in a fresh process: Node start + module load + embedded Ruby boot + render,
 *      next to a baseline process that only loads the modules, so the difference is ours;
 *  (b) warm: the Ruby VM already up, the same 50 templates rendered again.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bench, describe } from "vitest";
import { fiftyTemplateJob, renderFifty } from "../test/templates/fixtures/fifty-templates.js";

const workload = fileURLToPath(new URL("../test/templates/fixtures/fifty-templates.ts", import.meta.url));

function runNode(args: string[]): void {
  const run = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`benchmark child failed: ${run.stderr}`);
}

describe("50 ERB templates, first render", () => {
  bench("fresh process: start + Ruby boot + render 50", () => runNode(["--import", "tsx", workload]), { iterations: 5, time: 0, warmupIterations: 1 });
  bench("baseline: fresh process that only loads the modules", () => runNode(["--import", "tsx", "-e", `await import(${JSON.stringify(workload)})`]), {
    iterations: 5,
    time: 0,
    warmupIterations: 1,
  });
});

describe("50 ERB templates, warm", async () => {
  const job = await fiftyTemplateJob();
  await renderFifty(job); // boots the Ruby VM outside the measurement
  // Warm-up lets V8 finish tiering up Ruby's wasm code, which takes several renders.
  bench("render 50 (VM up)", () => renderFifty(job), { time: 3000, warmupTime: 3000, warmupIterations: 10 });
});
