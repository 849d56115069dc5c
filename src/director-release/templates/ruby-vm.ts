/**
 * The one embedded Ruby per process: CRuby 3.4 compiled to WebAssembly (WASI), so rendering
 * ERB needs no `ruby` on the machine. Created on first use (booting takes ~0.3-0.5 s on an idle
 * 2-core box, seconds on a loaded one) and shared by every later render; concurrent first
 * callers share the same boot.
 *
 * Templates are untrusted code: the VM runs without the JS bridge, processes, network, host
 * files or environment (ruby-sandbox.ts at the wasm boundary, sandbox-rb.ts inside Ruby).
 *
 * Node prints an ExperimentalWarning when its `wasi` module is loaded; that one warning is
 * swallowed during the boot, every other warning passes through untouched.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { RubyVM, type RbValue } from "@ruby/wasm-wasi";
import { BootstrapError, messageOf } from "../../common/index.js";
import { ERB_EVALUATOR_RUBY } from "./erb-evaluator-rb.js";
import { refuseJsBridge, sandboxWasi } from "./ruby-sandbox.js";
import { SANDBOX_RUBY } from "./sandbox-rb.js";

export interface ErbEngine {
  vm: RubyVM;
  /** Ruby lambda (context_json, templates_json), each as base64 → results_json, see erb-evaluator-rb.ts */
  renderJob: RbValue;
}

let engine: Promise<ErbEngine> | undefined;

/** After Ruby itself failed (not a template error), the next render boots a fresh VM. */
export function discardErbEngine(): void {
  engine = undefined;
}

export function erbEngine(): Promise<ErbEngine> {
  engine ??= bootEngine().catch((error: unknown) => {
    engine = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return engine;
}

async function bootEngine(): Promise<ErbEngine> {
  const require = createRequire(import.meta.url);
  let wasmPath = "";
  try {
    wasmPath = require.resolve("@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm");
    const module = await wasmRuntime().compile(await readFile(wasmPath));
    // Node warns when its `wasi` module is first loaded, hence the import inside the filter.
    const { vm } = await withoutWasiWarning(async () => {
      const { WASI } = await import("node:wasi");
      // No files, no environment, stdio on /dev/null (Ruby's crash reports and stray prints must
      // not mix into the CLI's output either), and a JS bridge that refuses every call.
      const wasip1 = sandboxWasi(WASI);
      // --disable-gems: loading RubyGems takes ~80% of the boot (2 s of 2.5 s on a busy 2-core
      // box); templates only need the standard library (see the load path set in erb-evaluator-rb.ts).
      const args = ["ruby.wasm", "-EUTF-8", "--disable-gems", "-e_=0"];
      return RubyVM.instantiateModule({ module, wasip1, args, addToImports: refuseJsBridge });
    });
    // After a throw out of wasm (a refused bridge call, a trap) the library asks Ruby for a
    // crash report, which would go to /dev/null; in a VM left mid-call that report segfaults
    // Node itself (seen with Node 20 after a refused bridge call). The VM is discarded anyway.
    vm.guest.rbVmBugreport = () => undefined;
    const renderJob = vm.eval(ERB_EVALUATOR_RUBY);
    vm.eval(SANDBOX_RUBY); // the refusals, once the evaluator has loaded its libraries
    return { vm, renderJob };
  } catch (error) {
    throw new BootstrapError("TEMPLATE_RENDER_FAILED", `Cannot start the embedded Ruby for ERB templates: ${messageOf(error)}`, {
      hint: `The embedded Ruby (@ruby/3.4-wasm-wasi${wasmPath ? ` at ${wasmPath}` : ""}) is missing or broken: reinstall bootstrap.`,
      cause: error,
    });
  }
}

/** Node has the WebAssembly global; the project's lib setting (no DOM) does not declare it as a value. */
function wasmRuntime(): { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } {
  return (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;
}

async function withoutWasiWarning<T>(action: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  const filtered = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === "string" ? warning : warning.message;
    const name = typeof warning === "string" ? type : warning.name;
    if (name === "ExperimentalWarning" && /\bWASI\b/.test(text)) return;
    (original as (...args: unknown[]) => void).call(this, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return await action();
  } finally {
    process.emitWarning = original;
  }
}
