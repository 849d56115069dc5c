/** What a command may touch of the outside world: injected so tests run main() in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM; every long operation watches it. */
  signal: AbortSignal;
  /** Read only by `interpolate -` (bosh int reads a manifest named `-` from standard input). */
  stdin?: NodeJS.ReadableStream;
}

export function writeLine(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(`${text}\n`);
}
