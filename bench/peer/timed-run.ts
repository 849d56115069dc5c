/**
 * Runs one CLI invocation and measures it: wall time from spawn to exit, and the peak resident
 * set of the CLI's own process (VmHWM from /proc/<pid>/status, polled; the kernel keeps the
 * high-water mark, so the last reading before exit is the peak up to then). Children (CPI calls,
 * bosh-cli's ruby, VM processes) are not counted: this is the CLI's memory, as issue 13 asks.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";

const POLL_MS = 20;
/** Only the end of a failed run's output is shown. */
const OUTPUT_TAIL = 8_000;

export interface TimedRun {
  exitCode: number;
  ms: number;
  peakRssKiB: number;
  output: string;
}

export async function timedRun(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<TimedRun> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let peakRssKiB = 0;
  const poll = setInterval(() => {
    void highWaterMark(child.pid).then((kib) => {
      peakRssKiB = Math.max(peakRssKiB, kib);
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
  return { exitCode, ms: performance.now() - started, peakRssKiB, output };
}

async function highWaterMark(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
}
