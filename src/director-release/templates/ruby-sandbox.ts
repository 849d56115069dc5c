/**
 * What the embedded Ruby may reach outside itself. Job templates are code from a release,
 * run on the operator's machine, so the wasm module gets exactly these imports and nothing else:
 *
 * - WASI preview 1 with no preopened directory (the only files Ruby sees are the standard
 *   library packed inside the wasm module; the templates arrive as data, not files), an empty
 *   environment, and stdin, stdout and stderr on /dev/null. WASI preview 1 as Node implements
 *   it has no call that starts a process or opens a socket.
 * - The JS bridge's imports (`rb-js-abi-host`, what the `js` gem's `JS.global`/`JS.eval` call)
 *   replaced by functions that throw: a template that gets past Ruby's refusal of
 *   `require "js"` (sandbox-rb.ts) still finds no JavaScript to call, and the throw ends the VM
 *   (render-erb.ts discards it), never a half-working bridge.
 *
 * The Ruby-level refusals in sandbox-rb.ts only make the messages clear; Ruby code can undo
 * Ruby code, these imports it cannot.
 */
import { openSync } from "node:fs";
import type { WASI } from "node:wasi";

export const JS_BRIDGE_REFUSAL = "job templates cannot use the JS bridge: bootstrap's embedded Ruby has no JavaScript to call";

/** The one import Ruby's runtime needs from the bridge's module: it reports misuse of nested VM calls, and only throws. */
const KEPT_BRIDGE_IMPORT = "rb_wasm_throw_prohibit_rewind_exception";

type Imports = Record<string, Record<string, unknown>>;

/** Replaces every JS bridge import (after RubyVM added its own) with one that throws. */
export function refuseJsBridge(imports: Imports): void {
  const bridge = imports["rb-js-abi-host"] ?? {};
  for (const name of Object.keys(bridge)) {
    if (name === KEPT_BRIDGE_IMPORT) continue;
    const short = name.split(":")[0] ?? name;
    bridge[name] = () => {
      throw new Error(`${JS_BRIDGE_REFUSAL} (${short})`);
    };
  }
  imports["rb-js-abi-host"] = bridge;
}

/**
 * A WASI with no directory, no environment and no terminal. Each stdio stream gets its own
 * /dev/null descriptor, opened for this VM only: Node's WASI closes the host descriptor when
 * Ruby closes or reopens the stream (`STDERR.reopen(path)`), so a descriptor shared by two
 * streams, or reused by a later VM, could be reopened by Node for another file (a state file,
 * an archive) while Ruby still writes to it. They are never closed by us for the same reason:
 * the number may already belong to another file; a VM is replaced only after a crash.
 */
export function sandboxWasi(WasiClass: typeof WASI): WASI {
  const devNull = (): number => openSync("/dev/null", "r+");
  return new WasiClass({
    version: "preview1",
    returnOnExit: true,
    args: [],
    env: {},
    preopens: {},
    stdin: devNull(),
    stdout: devNull(),
    stderr: devNull(),
  });
}
