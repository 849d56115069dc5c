/**
 * The embedded Ruby: CRuby 3.4 compiled to WebAssembly (WASI), so rendering ERB needs no `ruby`
 * on the machine. It lives in a process of its own (ruby-process.ts starts it,
 * ruby-process-main.ts holds it); booting takes ~1 s on an idle 2-core box, seconds on a loaded one.
 *
 * Templates are untrusted code: the VM runs without the JS bridge, processes, network, host
 * files or environment (ruby-sandbox.ts at the wasm boundary, sandbox-rb.ts inside Ruby).
 *
 * Node prints an ExperimentalWarning when its `wasi` module is loaded; that one warning is
 * swallowed during the boot, every other warning passes through untouched.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { RubyVM, type RbValue } from "@ruby/wasm-wasi";
import { BootstrapError, messageOf } from "../../common/index.js";
import { ERB_EVALUATOR_RUBY } from "./erb-evaluator-rb.js";
import { refuseJsBridge, sandboxWasi } from "./ruby-sandbox.js";
import { SANDBOX_RUBY } from "./sandbox-rb.js";

export interface ErbEngine {
  /** Renders one job: (context JSON, templates JSON) to results JSON, see erb-evaluator-rb.ts. Throws when Ruby itself fails. */
  render(contextJson: string, templatesJson: string): string;
}

export async function bootErbEngine(): Promise<ErbEngine> {
  const { vm, renderJob } = await bootVm();
  return {
    render: (contextJson, templatesJson) => {
      const args = [contextJson, templatesJson].map((json) => vm.eval(base64Literal(json)));
      return renderJob.call("call", ...args).toString();
    },
  };
}

/**
 * A Ruby string literal of the text's base64. Without the JS bridge (ruby-sandbox.ts) Ruby takes
 * text only as source; base64's alphabet (A-Z a-z 0-9 + / =) holds no quote or backslash, so
 * no input can end the literal and become code. RENDER_JOB decodes it.
 */
function base64Literal(text: string): string {
  return `'${Buffer.from(text, "utf8").toString("base64")}'`;
}

async function bootVm(): Promise<{ vm: RubyVM; renderJob: RbValue }> {
  const require = createRequire(import.meta.url);
  let wasmPath = "";
  try {
    wasmPath = require.resolve("@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm");
    // Wasm runs on V8's baseline compiler only. Its optimizing tier recompiled the hot functions
    // (CRuby's interpreter loop is one huge one) in the background at a cost no render here
    // earns back: measured on a loaded 2-core box, boot 1.2 s -> 0.8 s of CPU, and 200 renders
    // of a 50-line template 1.3 s -> 0.3 s. Process-wide, and this process runs no other wasm.
    setFlagsFromString("--liftoff-only");
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
