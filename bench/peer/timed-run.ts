/**
 * Runs one CLI invocation and measures it: wall time from spawn to exit, and the peak resident
 * set of the CLI's own process (VmHWM from /proc/<pid>/status, polled; the kernel keeps the
 * high-water mark, so the last reading before exit is the peak up to then). Children (CPI calls,
 * the template renderer, VM processes) are not counted: this is the CLI's memory, as issue 13
 * asks. The template renderer's peak is reported on its own: both CLIs render ERB in a child
 * (bosh-cli runs `ruby`, bootstrap its embedded Ruby's process), which `isRenderer` picks out
 * of the CLI's children by their argv.
 */
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

const POLL_MS = 20;
/** Only the end of a failed run's output is shown. */
const OUTPUT_TAIL = 8_000;

export interface TimedRun {
  exitCode: number;
  ms: number;
  peakRssKiB: number;
  /** The largest peak of a renderer child seen (0 when none was). */
  rendererPeakRssKiB: number;
  output: string;
}

export interface TimedRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  isRenderer: (argv: string[]) => boolean;
}

export async function timedRun(command: string, args: string[], opts: TimedRunOptions): Promise<TimedRun> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let peakRssKiB = 0;
  let rendererPeakRssKiB = 0;
  const poll = setInterval(() => {
    void highWaterMark(child.pid).then((kib) => {
      peakRssKiB = Math.max(peakRssKiB, kib);
    });
    void renderers(child.pid, opts.isRenderer)
      .then((pids) => Promise.all(pids.map(highWaterMark)))
      .then((kibs) => {
        rendererPeakRssKiB = Math.max(rendererPeakRssKiB, ...kibs);
      });
  }, POLL_MS);
  const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs);
  const exitCode = await new Promise<number>((done, fail) => {
    child.on("error", fail);
    child.on("exit", (code, signal) => done(code ?? (signal === null ? -1 : 128)));
  }).finally(() => {
    clearInterval(poll);
    clearTimeout(timer);
  });
  return { exitCode, ms: performance.now() - started, peakRssKiB, rendererPeakRssKiB, output };
}

/** The CLI's children (of any of its threads) whose argv `isRenderer` accepts. */
async function renderers(pid: number | undefined, isRenderer: (argv: string[]) => boolean): Promise<number[]> {
  if (pid === undefined) return [];
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const children = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "")));
  const pids = children.flatMap((text) => text.split(" ").filter((p) => p.trim() !== "").map(Number));
  const argvs = await Promise.all(pids.map((p) => readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "")));
  return pids.filter((_p, i) => isRenderer((argvs[i] ?? "").split("\0")));
}

async function highWaterMark(pid: number | undefined): Promise<number> {
  // Polled while the process may exit: a process gone reads as 0.
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
}
