/**
 * The embedded Ruby runs in a child process of its own (Node running ruby-process-main.js), one
 * at a time, started on first need or earlier by warmUpTemplateEngine(), and ended by
 * stopTemplateEngine() once the renders are done:
 *
 * - memory: booted, the wasm Ruby holds ~100 MB (its linear memory, the module's bytes V8
 *   keeps, compiled code); inside the CLI's process it was most of the CLI's peak (a tiny
 *   deploy peaked at 311 MB with it, a delete at 81 MB without). bosh-cli runs `ruby` as a
 *   child for the same job;
 * - its boot (seconds of CPU on a busy machine) overlaps the work before the first render
 *   (manifest checks, CPI calls, the VM's start);
 * - Ctrl-C is answered at once: a render in progress is ended with its process, which also
 *   ends a template that never finishes;
 * - a template that breaks Ruby itself takes only that process down, and the next render
 *   starts a fresh one (its state is not trusted again).
 *
 * The process gets an empty environment and no stdio, in its own process group like a CPI (a
 * Ctrl-C aimed at the CLI is the CLI's to handle). It keeps the CLI alive only while a render
 * waits, and is killed when the CLI exits.
 */
import { fork, type ChildProcess, type ForkOptions } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { BootstrapError } from "../../common/index.js";
import type { RenderReply, RenderRequest } from "./ruby-process-protocol.js";

/** Ruby itself failed (a crash, a wasm trap, its process ended): the job's templates cannot be judged. */
export class RubyFailure extends Error {}

interface Waiting {
  resolve(resultsJson: string): void;
  reject(error: unknown): void;
}

class RubyProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, Waiting>();
  private readonly killOnExit = (): void => void this.child.kill("SIGKILL");
  private nextId = 1;
  private ended = false;

  constructor() {
    this.child = startChild();
    this.child.on("message", (reply: RenderReply) => this.settle(reply));
    this.child.on("error", (error) => this.end(new RubyFailure(`the embedded Ruby's process failed: ${error.message}`)));
    this.child.on("exit", (code, signal) => this.end(new RubyFailure(`the embedded Ruby's process ended (${signal ?? `exit code ${code}`})`)));
    process.on("exit", this.killOnExit);
    this.hold(false);
  }

  render(request: Omit<RenderRequest, "id">, signal: AbortSignal | undefined): Promise<string> {
    if (this.ended) return Promise.reject(new RubyFailure("the embedded Ruby's process has ended"));
    signal?.throwIfAborted();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting.get(id)?.reject(signal?.reason);
        this.stop();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener("abort", onAbort);
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.hold(false);
      };
      this.waiting.set(id, {
        resolve: (json) => (done(), resolve(json)),
        reject: (error) => (done(), reject(error)),
      });
      this.hold(true);
      this.child.send({ id, ...request } satisfies RenderRequest, (error) => {
        if (error !== null) this.end(new RubyFailure(`cannot reach the embedded Ruby's process: ${error.message}`));
      });
    });
  }

  /** Ends the process; every waiting render fails. */
  stop(): void {
    if (current === this) current = undefined;
    this.child.kill("SIGKILL");
  }

  /** Whether the CLI waits for this process: only while a render is waiting. */
  private hold(wait: boolean): void {
    const handles = [this.child, this.child.channel];
    for (const handle of handles) {
      if (wait) handle?.ref();
      else handle?.unref();
    }
  }

  private settle(reply: RenderReply): void {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    if (reply.ok) return waiting.resolve(reply.resultsJson);
    if (reply.failed === "ruby") {
      this.stop();
      return waiting.reject(new RubyFailure(reply.message));
    }
    // Not retried by a fresh process: a Ruby that cannot boot once will not boot the next time.
    waiting.reject(new BootstrapError("TEMPLATE_RENDER_FAILED", reply.message, reply.hint === undefined ? {} : { hint: reply.hint }));
  }

  private end(failure: RubyFailure): void {
    if (this.ended) return;
    this.ended = true;
    if (current === this) current = undefined;
    process.removeListener("exit", this.killOnExit);
    for (const waiting of [...this.waiting.values()]) waiting.reject(failure);
  }
}

let current: RubyProcess | undefined;

/**
 * Starts booting the embedded Ruby now, for renders that will come later; idempotent. Never
 * fails the command: a process that cannot start is reported by the render that needs it.
 */
export function warmUpTemplateEngine(): void {
  try {
    current ??= new RubyProcess();
  } catch {
    current = undefined;
  }
}

/** Ends the embedded Ruby's process (and any render in progress); the next render starts a fresh one. */
export function stopTemplateEngine(): void {
  current?.stop();
}

/** Renders one job's ERB templates (JSON in, JSON out, see erb-evaluator-rb.ts). */
export function renderInRuby(contextJson: string, templatesJson: string, signal?: AbortSignal): Promise<string> {
  current ??= new RubyProcess();
  return current.render({ contextJson, templatesJson }, signal);
}

function startChild(): ChildProcess {
  // execArgv is set so that the CLI's own Node options (an inspector, a loader) are not inherited.
  const options: ForkOptions = { env: {}, detached: true, serialization: "json", stdio: ["ignore", "ignore", "ignore", "ipc"] };
  // Built (dist/, and the bundle where the entry sits beside its chunks): plain JavaScript.
  if (!import.meta.url.endsWith(".ts")) return fork(fileURLToPath(new URL("./ruby-process-main.js", import.meta.url)), [], { ...options, execArgv: [] });
  // Run from the TypeScript sources (tests, tsx): the process loads tsx before its entry.
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return fork(fileURLToPath(new URL("./ruby-process-main.ts", import.meta.url)), [], { ...options, execArgv: ["--import", tsx] });
}
