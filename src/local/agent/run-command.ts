/**
 * The one place the agent spawns helper commands (mount, tar, cp, bash). Output is captured up
 * to a limit (packaging scripts can be chatty) and failures read like the real agent's:
 * "Running command: 'cmd args', stdout: '...', stderr: '...': exit status N".
 */
import { spawn } from "node:child_process";

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Extra sinks for the complete output (e.g. a log file), besides the captured tail. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The real agent truncates command output in error texts to 10 KB. */
const KEEP_BYTES = 10 * 1024;

function keepTail(current: string, chunk: Buffer): string {
  const joined = current + chunk.toString("utf8");
  return joined.length > KEEP_BYTES ? joined.slice(joined.length - KEEP_BYTES) : joined;
}

/** Runs and resolves with the result whatever the exit code. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout = keepTail(stdout, chunk);
      options.onStdout?.(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = keepTail(stderr, chunk);
      options.onStderr?.(chunk);
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ stdout, stderr, exitCode: code ?? (signal ? 128 : 1) }));
  });
}

/** Runs and rejects with the agent-style message unless the command exits 0. */
export async function runChecked(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `Running command: '${[command, ...args].join(" ")}', stdout: '${result.stdout}', stderr: '${result.stderr}': exit status ${result.exitCode}`,
    );
  }
  return result;
}
