/**
 * The embedded Ruby runs on a worker thread of its own, one per process, started on first need
 * or earlier by warmUpTemplateEngine():
 *
 * - its boot (seconds of CPU on a busy machine) overlaps the work before the first render
 *   (manifest checks, CPI calls, the VM's start) instead of holding the CLI's thread;
 * - Ctrl-C is answered at once: a render in progress is ended with its thread (terminate()
 *   stops wasm too), which also ends a template that never finishes;
 * - a template that breaks Ruby itself takes only that thread down, and the next render starts
 *   a fresh one (its state is not trusted again).
 *
 * The thread gets an empty environment; it keeps the process alive only while a render waits.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BootstrapError } from "../../common/index.js";
import type { RenderReply, RenderRequest } from "./ruby-thread-protocol.js";

/** Ruby itself failed (a crash, a wasm trap, the thread ended): the job's templates cannot be judged. */
export class RubyFailure extends Error {}

interface Waiting {
  resolve(resultsJson: string): void;
  reject(error: unknown): void;
}

class RubyThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private ended = false;

  constructor() {
    this.worker = startWorker();
    this.worker.on("message", (reply: RenderReply) => this.settle(reply));
    this.worker.on("error", (error) => this.end(new RubyFailure(`the embedded Ruby's thread failed: ${error.message}`)));
    this.worker.on("exit", (code) => this.end(new RubyFailure(`the embedded Ruby's thread ended (exit code ${code})`)));
    // After the listeners: adding a "message" listener refs the thread again.
    this.worker.unref();
  }

  render(request: Omit<RenderRequest, "id">, signal: AbortSignal | undefined): Promise<string> {
    if (this.ended) return Promise.reject(new RubyFailure("the embedded Ruby's thread has ended"));
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
        if (this.waiting.size === 0) this.worker.unref();
      };
      this.waiting.set(id, {
        resolve: (json) => (done(), resolve(json)),
        reject: (error) => (done(), reject(error)),
      });
      this.worker.ref();
      this.worker.postMessage({ id, ...request } satisfies RenderRequest);
    });
  }

  /** Ends the thread; every waiting render fails. */
  stop(): void {
    if (current === this) current = undefined;
    void this.worker.terminate();
  }

  private settle(reply: RenderReply): void {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    if (reply.ok) return waiting.resolve(reply.resultsJson);
    if (reply.failed === "ruby") {
      this.stop();
      return waiting.reject(new RubyFailure(reply.message));
    }
    // Not retried by a fresh thread: a Ruby that cannot boot once will not boot the next time.
    waiting.reject(new BootstrapError("TEMPLATE_RENDER_FAILED", reply.message, reply.hint === undefined ? {} : { hint: reply.hint }));
  }

  private end(failure: RubyFailure): void {
    if (this.ended) return;
    this.ended = true;
    if (current === this) current = undefined;
    for (const waiting of [...this.waiting.values()]) waiting.reject(failure);
  }
}

let current: RubyThread | undefined;

/** Starts booting the embedded Ruby now, for renders that will come later; idempotent. */
export function warmUpTemplateEngine(): void {
  current ??= new RubyThread();
}

/** Renders one job's ERB templates (JSON in, JSON out, see erb-evaluator-rb.ts). */
export function renderInRuby(contextJson: string, templatesJson: string, signal?: AbortSignal): Promise<string> {
  current ??= new RubyThread();
  return current.render({ contextJson, templatesJson }, signal);
}

function startWorker(): Worker {
  const options = { env: {}, name: "embedded-ruby" };
  // Built (dist/, and the bundle where the entry sits beside its chunks): plain JavaScript.
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./ruby-worker-main.js", import.meta.url), options);
  // Run from the TypeScript sources (tests, tsx): the thread loads tsx before its entry.
  const entry = new URL("./ruby-worker-main.ts", import.meta.url).href;
  const load = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(load, { ...options, eval: true });
}

/** tsx's ES module API (its CommonJS one cannot register hooks for a thread started this way). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("tsx/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports: Record<string, { import: { default: string } }> };
  const api = manifest.exports["./esm/api"]?.import.default;
  if (api === undefined) throw new Error(`tsx at ${manifestPath} has no ES module API`);
  return pathToFileURL(join(dirname(manifestPath), api)).href;
}
