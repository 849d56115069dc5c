/**
 * The embedded Ruby's process (ruby-process.ts starts it with an IPC channel): boots the ERB
 * engine as soon as it starts, so the boot overlaps the CLI's work that needs no Ruby, then
 * renders one job per message. It leaves when the CLI disconnects; the CLI also kills it once it
 * has no more renders to ask for, and when it exits.
 */
import { isBootstrapError, messageOf } from "../../common/index.js";
import { bootErbEngine } from "./ruby-vm.js";
import type { RenderReply, RenderRequest } from "./ruby-process-protocol.js";

const send = process.send?.bind(process);
if (send === undefined) throw new Error("ruby-process-main.js runs only as a child process with an IPC channel");

const engine = bootErbEngine();
// A failed boot is reported to the render that needs it, not as an unhandled rejection.
engine.catch(() => undefined);

process.on("disconnect", () => process.exit(0));
process.on("message", (request: RenderRequest) => {
  void answer(request).then((reply) => send(reply));
});

async function answer(request: RenderRequest): Promise<RenderReply> {
  let render: (contextJson: string, templatesJson: string) => string;
  try {
    render = (await engine).render;
  } catch (error) {
    const hint = isBootstrapError(error) ? error.hint : undefined;
    return { id: request.id, ok: false, failed: "boot", message: messageOf(error), ...(hint === undefined ? {} : { hint }) };
  }
  try {
    return { id: request.id, ok: true, resultsJson: render(request.contextJson, request.templatesJson) };
  } catch (error) {
    return { id: request.id, ok: false, failed: "ruby", message: messageOf(error) };
  }
}
