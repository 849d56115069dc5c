/**
 * The embedded Ruby's thread: boots the ERB engine as soon as it starts (ruby-worker.ts starts it
 * early, so the boot overlaps work that needs no Ruby), then renders one job per message.
 */
import { parentPort } from "node:worker_threads";
import { isBootstrapError, messageOf } from "../../common/index.js";
import { bootErbEngine } from "./ruby-vm.js";
import type { RenderReply, RenderRequest } from "./ruby-thread-protocol.js";

const port = parentPort;
if (port === null) throw new Error("ruby-worker-main.js runs only as a worker thread");

const engine = bootErbEngine();
// A failed boot is reported to the render that needs it, not as an unhandled rejection.
engine.catch(() => undefined);

port.on("message", (request: RenderRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
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
