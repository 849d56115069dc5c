/**
 * `npm run bench:cpi`: the local CPI's time per call alone (bench/peer/cpi-calls.ts, which
 * `npm run bench:peer` runs after its deploys), without the upstream peers or the deploy
 * fixtures. Needs root (or unprivileged user namespaces) for create_vm; uses 127.0.190.10.
 * BENCH_CPI_RUNS (10) sets the calls per method.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cpiCallRows, measureCpiCalls } from "./peer/cpi-calls.js";
import { table } from "./peer/report.js";

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const work = await mkdtemp(join(tmpdir(), "bootstrap-bench-cpi-"));
console.log(`bench:cpi in ${work}; load average ${load()}`);
const times = await measureCpiCalls(Number(process.env["BENCH_CPI_RUNS"] ?? 10), work);
console.log(`load average after: ${load()}\n`);
console.log(table([], cpiCallRows(times)));
await rm(work, { recursive: true, force: true });
