// Ctrl-C ends a request to the agent however far it got: also one Node never reports the end
// of (still waiting for its socket, or on a keep-alive socket handed on to another request).
import { getEventListeners } from "node:events";
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { HttpsTransport } from "../../src/agent-client/https-transport.js";
import { parseMbusUrl } from "../../src/agent-client/mbus-url.js";
import { BootstrapError } from "../../src/common/index.js";

const endpoint = parseMbusUrl("https://mbus:secret@10.0.0.10:6868");
const interrupted = () => new BootstrapError("INTERRUPTED", "Interrupted by SIGINT");

function transportWith(dial: () => Promise<Duplex>): { transport: HttpsTransport; dials: () => number } {
  let dials = 0;
  const transport = new HttpsTransport(
    endpoint,
    () => {
      dials += 1;
      return dial();
    },
    "no CA needed: no TLS starts",
    () => undefined,
  );
  return { transport, dials: () => dials };
}

describe("HttpsTransport and the abort signal", () => {
  it("a request whose connection never opens ends with the signal's reason when aborted", async () => {
    // given a dial that hangs (an SSH channel the far side never opens)
    const { transport, dials } = transportWith(() => new Promise<Duplex>(() => undefined));
    const controller = new AbortController();
    const sent = transport.send({ method: "POST", path: "/agent", body: "{}", signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    expect(dials()).toBe(1);

    // when
    const reason = interrupted();
    controller.abort(reason);

    // then
    await expect(sent).rejects.toBe(reason);
  });

  it("an already aborted signal sends nothing", async () => {
    const { transport, dials } = transportWith(() => new Promise<Duplex>(() => undefined));
    const controller = new AbortController();
    const reason = interrupted();
    controller.abort(reason);
    await expect(transport.send({ method: "POST", path: "/agent", body: "{}", signal: controller.signal })).rejects.toBe(reason);
    expect(dials()).toBe(0);
  });

  it("settled requests leave no listener on the run's one signal", async () => {
    // given a dial that fails at once, many times over one signal (as get_task polls share it)
    const { transport } = transportWith(() => Promise.reject(new Error("connection refused")));
    const controller = new AbortController();
    const before = getEventListeners(controller.signal, "abort").length;

    for (let i = 0; i < 20; i += 1) {
      await expect(transport.send({ method: "POST", path: "/agent", body: "{}", signal: controller.signal })).rejects.toThrow(/refused/);
    }
    await new Promise((resolve) => setImmediate(resolve));

    // then
    expect(getEventListeners(controller.signal, "abort").length).toBe(before);
  });
});
