/**
 * The VM's SSH server relays agent requests without delay: both its connection to the
 * deployer (from its first packet) and the TCP connection it opens to the agent have Nagle's
 * algorithm off (on, each agent call through the tunnel, and each of the handshake's and
 * authentication's exchanges, waited ~40 ms for a delayed ACK). node:net is replaced by a
 * stand-in that records the options; nothing is dialled.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { serveTunnelClient } from "../../../src/local/sshd/server.js";

const dialled: unknown[] = [];

vi.mock("node:net", () => ({
  connect: (options: unknown) => {
    dialled.push(options);
    const socket = new EventEmitter();
    setImmediate(() => socket.emit("connect"));
    return Object.assign(socket, { pipe: (to: unknown) => to, destroy: () => undefined });
  },
}));

class FakeConnection extends EventEmitter {
  noDelay: boolean | undefined;
  setNoDelay(on: boolean): this {
    this.noDelay = on;
    return this;
  }
}

describe("the VM's SSH server", () => {
  it("forwards to the agent with Nagle's algorithm off on both sides", async () => {
    // given
    const client = new FakeConnection();
    serveTunnelClient(client as never, { ip: "127.0.172.20", port: 2222, user: "vcap", hostKeyPath: "", settingsPath: "", readyFile: "" }, () => undefined);
    // Off before the handshake and authentication, request/response exchanges too (~44 ms each with it on).
    expect(client.noDelay).toBe(true);
    client.emit("ready");
    // when
    const accepted = new Promise<void>((resolve) => {
      const channel = Object.assign(new EventEmitter(), { pipe: (to: unknown) => to });
      client.emit("tcpip", () => (resolve(), channel), () => undefined, { destIP: "127.0.172.20", destPort: 6868, srcIP: "127.0.0.1", srcPort: 0 });
    });
    await accepted;
    // then
    expect(client.noDelay).toBe(true);
    expect(dialled).toEqual([expect.objectContaining({ host: "127.0.172.20", port: 6868, noDelay: true })]);
  });
});
