/**
 * One CPI process: `bin/cpi` with no arguments and no shell, the request on stdin, in its own
 * process group (so a timeout can stop the CPI and everything it started, and so a Ctrl-C aimed
 * at us does not reach it). stdout/stderr go either to pipes, or — for calls that must survive
 * our death — to files we only read once it has exited. A caller that must know a CPI's pid
 * before the CPI can act (the journal) gets it before the request is written: a CPI reads its
 * whole request before doing anything, so until then it can do nothing.
 */

export interface CpiProcessOptions {
  cpiPath: string;
  env: Record<string, string>;
  input: string;
  timeoutMs: number;
  /** Open file descriptors to hand the child as stdout/stderr; pipes when absent. */
  outputFds?: { stdout: number; stderr: number };
  /** Stops the process (its whole group) when aborted; not given for calls that must finish. */
  signal?: AbortSignal | undefined;
  /**
   * Awaited with the pid before the request is written to the CPI's stdin. When it rejects, the
   * CPI is killed before it has its request, and runCpiProcess rejects with that error.
   */
  beforeRequest?: (pid: number) => Promise<void>;
}

export interface CpiProcessOutcome {
  exitCode: number | undefined;
  signal: string | undefined;
  /** Empty when outputFds were given: the caller reads its files. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Why the process could not be started at all (missing file, not executable). */
  spawnError: string | undefined;
}

/** Time between SIGTERM and SIGKILL for a CPI we stop. */
const KILL_GRACE_MS = 3000;

export async function runCpiProcess(opts: CpiProcessOptions): Promise<CpiProcessOutcome> {
  // execa hands any open descriptor to the child as it is; its types only spell out small literals.
  const out = (opts.outputFds?.stdout ?? "pipe") as 1 | "pipe";
  const err = (opts.outputFds?.stderr ?? "pipe") as 2 | "pipe";
  const gate = opts.beforeRequest;
  // execa (with its dependencies, a quarter of the deploy machinery's code) loads on the first
  // CPI call: a no-op deploy makes none.
  const { execa } = await import("execa");
  const child = execa(opts.cpiPath, [], {
    env: opts.env,
    extendEnv: false,
    ...(gate === undefined ? { input: opts.input } : {}),
    stdout: out,
    stderr: err,
    detached: true,
    reject: false,
    stripFinalNewline: false,
    encoding: "utf8",
  });
  if (gate !== undefined) {
    if (child.pid !== undefined) {
      try {
        await gate(child.pid);
      } catch (error) {
        killGroup(child.pid, "SIGKILL");
        await child;
        throw error;
      }
    }
    child.stdin?.end(opts.input);
  }

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (child.pid === undefined || killTimer !== undefined) return;
    killGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, opts.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted === true) onAbort();

  try {
    const result = await child;
    const spawnFailed = child.pid === undefined || (result.exitCode === undefined && result.signal === undefined);
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: typeof result.stdout === "string" ? result.stdout : "",
      stderr: typeof result.stderr === "string" ? result.stderr : "",
      timedOut,
      aborted,
      spawnError: spawnFailed ? spawnFailure(result) : undefined,
    };
  } finally {
    clearTimeout(timer);
    // The group leader may be gone while children it started still hold on: finish the job.
    if (killTimer !== undefined) {
      clearTimeout(killTimer);
      killGroup(child.pid!, "SIGKILL");
    }
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function spawnFailure(result: { shortMessage?: string | undefined; cause?: unknown }): string {
  return result.cause instanceof Error ? result.cause.message : (result.shortMessage ?? "could not be started");
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
