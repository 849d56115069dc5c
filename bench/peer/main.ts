/**
 * `npm run bench:peer`: bootstrap deploy/delete next to the upstream bosh create-env/delete-env
 * (bosh-cli 7.9.13 from ../shared/peers or BOOTSTRAP_PEERS_DIR), on the same fixtures, the same
 * local CPI release (artifacts/) and the same upstream bosh-agent (in the stemcell), in
 * alternating runs. Each run has a fresh HOME (cold caches) and goes: full deploy, no-op
 * redeploy, property-change redeploy, delete. Prints medians and ratios (bootstrap / bosh), the
 * CLI's peak RSS and, apart, its template renderer's (a child of either CLI), bootstrap's own time
 * in its full deploys (own-time.ts), and the local CPI's own time per call.
 * bootstrap runs as an installed command does, the bin file itself (its sh launcher, then node),
 * in this environment: NODE_EXTRA_CA_CERTS, where set, stays set, as in an operator's shell.
 *
 * Knobs (environment): BENCH_PEER_RUNS (per tool and fixture, default 3), BENCH_PEER_CASES
 * ("tiny,big"), BENCH_PEER_BIG_PACKAGE_MIB (400), BENCH_PEER_BIG_STEMCELL_MIB (300).
 * Addresses: 127.0.140.10 (tiny), 127.0.141.10 (big), 127.0.190.10 (the CPI calls' create_vm).
 * The temp dir (some GiB with the big fixtures) is removed after a run that succeeded and kept
 * after a failure, for its logs.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath } from "../../test/e2e/support/cli.js";
import { processesMentioning } from "../../test/e2e/support/director.js";
import { missingPeers, peerPath } from "../../test/interop/support/peers.js";
import { cpiCallRows, measureCpiCalls } from "./cpi-calls.js";
import { bigFixture, tinyFixture, type Fixture } from "./fixtures.js";
import { ownTime } from "./own-time.js";
import { table, type CaseResult } from "./report.js";
import { timedRun } from "./timed-run.js";

const RUN_TIMEOUT_MS = 600_000;
type Tool = "bootstrap" | "bosh";
type Step = "full" | "noop" | "change" | "delete";
type Sample = Record<Step, number> & { rssMB: number; rendererMB: number; own?: { ms: number; beforeActingMs: number } };

const missing = missingPeers();
if (missing.length > 0) {
  console.error(["bench:peer runs the upstream peers next to bootstrap, and they are missing:", ...missing.map((m) => `  - ${m}`)].join("\n"));
  console.error("Hint: put bosh (bosh-cli v7.9.13) and bosh-agent (v2.778.0), built from their public tags, in ../shared/peers/bin beside the checkout or in the folder BOOTSTRAP_PEERS_DIR names (see ../shared/peers/README.md).");
  process.exit(2);
}

const runs = Number(process.env["BENCH_PEER_RUNS"] ?? 3);
const wanted = (process.env["BENCH_PEER_CASES"] ?? "tiny,big").split(",");
const sizes = { packageMiB: Number(process.env["BENCH_PEER_BIG_PACKAGE_MIB"] ?? 400), stemcellMiB: Number(process.env["BENCH_PEER_BIG_STEMCELL_MIB"] ?? 300) };
const work = await mkdtemp(join(tmpdir(), "bootstrap-bench-peer-"));
console.log(`bench:peer in ${work}: ${runs} alternating run(s) per tool; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

const cases: CaseResult[] = [];
if (wanted.includes("tiny")) cases.push(...(await measureFixture(await tinyFixture(join(work, "tiny"), 140), "tiny")));
if (wanted.includes("big")) {
  const started = performance.now();
  const big = await bigFixture(join(work, "big"), 141, sizes);
  console.log(`generated the big fixtures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  cases.push(...(await measureFixture(big, "big")));
}
const cpi = await measureCpiCalls(Math.max(runs, 10), join(work, "cpi"));
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log(table(cases, cpiCallRows(cpi)));
await rm(work, { recursive: true, force: true });

async function measureFixture(fixture: Fixture, kind: "tiny" | "big"): Promise<CaseResult[]> {
  const samples: Record<Tool, Sample[]> = { bootstrap: [], bosh: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first, so neither always runs on the caches the other warmed.
    const order: Tool[] = i % 2 === 0 ? ["bootstrap", "bosh"] : ["bosh", "bootstrap"];
    for (const tool of order) {
      const sample = await sequence(tool, fixture, join(fixture.dir, `${tool}-${i}`));
      samples[tool].push(sample);
      console.log(`${fixture.name} #${i + 1} ${tool}: ${JSON.stringify(sample, (_k, v: unknown) => (typeof v === "number" ? Math.round(v) : v))}`);
    }
  }
  const row = (step: Step, label: string, goal?: string): CaseResult => ({
    label: `${fixture.name}, ${label}`,
    unit: "ms",
    bootstrap: samples.bootstrap.map((s) => s[step]),
    bosh: samples.bosh.map((s) => s[step]),
    ...(goal === undefined ? {} : { goal }),
  });
  const goals = kind === "tiny" ? { full: "≤ 0.5", noop: "≤ 1.0" } : { full: "≤ 0.8", noop: "≤ 0.1", change: "≤ 0.2" };
  return [
    row("full", "full deploy", goals.full),
    row("noop", "no-op redeploy", goals.noop),
    row("change", "property-change redeploy", "change" in goals ? goals.change : undefined),
    row("delete", "delete"),
    {
      label: `${fixture.name}, peak RSS of the CLI process`,
      unit: "MB",
      bootstrap: samples.bootstrap.map((s) => s.rssMB),
      bosh: samples.bosh.map((s) => s.rssMB),
      showMax: true,
      ...(kind === "big" ? { goal: "bootstrap ≤ 150 MB" } : {}),
    },
    {
      label: `${fixture.name}, peak RSS of the template renderer (child; bosh: ruby, bootstrap: embedded Ruby's process)`,
      unit: "MB",
      bootstrap: samples.bootstrap.map((s) => s.rendererMB),
      bosh: samples.bosh.map((s) => s.rendererMB),
    },
    {
      label: `${fixture.name}, bootstrap's own time (no CPI call, agent call or blob transfer under way), share of its full deploy`,
      unit: "%",
      bootstrap: samples.bootstrap.map((s) => ((s.own?.ms ?? Number.NaN) / s.full) * 100),
      bosh: [],
      ...(kind === "big" ? { goal: "≤ 5%" } : {}),
    },
    {
      label: `${fixture.name}, of which before acting: making the variables' keys and reading every artefact whole to validate it (bosh does both too)`,
      unit: "%",
      bootstrap: samples.bootstrap.map((s) => ((s.own?.beforeActingMs ?? Number.NaN) / s.full) * 100),
      bosh: [],
      ...(kind === "big" ? { goal: "the floor while validating before acting" } : {}),
    },
    {
      label: `${fixture.name}, of which once acting (CPI installation, rendering, polling, start-up of steps)`,
      unit: "%",
      bootstrap: samples.bootstrap.map((s) => (((s.own?.ms ?? Number.NaN) - (s.own?.beforeActingMs ?? Number.NaN)) / s.full) * 100),
      bosh: [],
    },
  ];
}

/** One run of a tool: fresh HOME, deploy, no-op, property change, delete; leaves nothing behind. */
async function sequence(tool: Tool, fixture: Fixture, home: string): Promise<Sample> {
  await mkdir(home, { recursive: true });
  const statePath = join(home, "state.json");
  const args = (label: string) => [...fixture.manifestArgs, "-v", "director_name=bench-peer", "-v", `${fixture.labelVar}=${label}`, "--vars-store", join(home, "creds.yml"), "--state", statePath];
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env["BOOTSTRAP_HOME"];
  let peakKiB = 0;
  let rendererKiB = 0;
  const isRenderer = tool === "bootstrap" ? (argv: string[]) => argv.some((a) => a.endsWith("ruby-process-main.js")) : (argv: string[]) => /(^|\/)ruby$/.test(argv[0] ?? "");
  const run = async (command: "deploy" | "delete", label: string): Promise<number> => {
    const [cmd, cmdArgs] =
      tool === "bootstrap"
        ? [cliPath, [command, ...args(label)]]
        : [peerPath("bosh"), [command === "deploy" ? "create-env" : "delete-env", ...args(label)]];
    const r = await timedRun(cmd, cmdArgs, { cwd: home, env, timeoutMs: RUN_TIMEOUT_MS, isRenderer });
    if (r.exitCode !== 0) throw new Error(`${tool} ${command} (${fixture.name}) exited ${r.exitCode}:\n${r.output}`);
    peakKiB = Math.max(peakKiB, r.peakRssKiB);
    rendererKiB = Math.max(rendererKiB, r.rendererPeakRssKiB);
    return r.ms;
  };
  let deleted = false;
  try {
    const full = await run("deploy", "one");
    const own = tool === "bootstrap" ? await ownTimeOfLastDeploy(home, full) : undefined;
    const noop = await run("deploy", "one");
    const change = await run("deploy", "two");
    const del = await run("delete", "two");
    deleted = true;
    return { full, noop, change, delete: del, rssMB: (peakKiB * 1024) / 1e6, rendererMB: (rendererKiB * 1024) / 1e6, ...(own === undefined ? {} : { own }) };
  } finally {
    // A failed run still deletes what it deployed (the error above says what failed).
    if (!deleted && existsSync(statePath)) await run("delete", "two").catch((e: unknown) => console.error(String(e)));
    const left = await processesMentioning(home);
    if (left.length > 0) console.error(`left running after ${tool} in ${home}:\n${left.join("\n")}`);
  }
}

/** Own time (own-time.ts) of the newest deploy logged under HOME; its longest stretches are printed. */
async function ownTimeOfLastDeploy(home: string, wallMs: number): Promise<{ ms: number; beforeActingMs: number }> {
  const dir = join(home, ".bootstrap", "logs");
  const newest = (await readdir(dir)).filter((f) => f.includes("-deploy-")).sort().at(-1);
  if (newest === undefined) throw new Error(`no deploy log in ${dir}`);
  const own = ownTime(await readFile(join(dir, newest), "utf8"), wallMs);
  const share = ((own.ownMs / wallMs) * 100).toFixed(1);
  console.log(`  own time ${Math.round(own.ownMs)} ms of ${Math.round(wallMs)} ms (${share}%), ${Math.round(own.beforeActingMs)} ms of it before acting; longest stretches:`);
  for (const gap of own.longest) console.log(`    ${String(Math.round(gap.ms)).padStart(6)} ms, last logged: ${gap.last}`);
  return { ms: own.ownMs, beforeActingMs: own.beforeActingMs };
}
