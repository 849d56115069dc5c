/**
 * The tunnel's SSH connection sends each agent request at once: with Nagle's algorithm on, a
 * request written while the previous packet waits for its (delayed) ACK sat up to 40 ms in the
 * kernel, which made every agent call through the tunnel cost ~47 ms instead of ~5, and the
 * handshake and authentication (four such exchanges) ~180 ms instead of ~15. ssh2 is
 * replaced by a stand-in that records what the tunnel asks of its connection; nothing is dialled.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { SshTunnel } from "../../src/agent-client/ssh-tunnel.js";
import { silentLogger } from "../../src/common/index.js";

const made: FakeClient[] = [];

class FakeClient extends EventEmitter {
  noDelay: boolean | undefined;
  /** Whether Nagle's algorithm was off while the handshake and authentication ran (before "ready"). */
  noDelayDuringHandshake: boolean | undefined;
  setNoDelay(on: boolean): this {
    this.noDelay = on;
    return this;
  }
  connect(config: { hostVerifier: (key: Buffer) => boolean }): void {
    made.push(this);
    config.hostVerifier(Buffer.from("host key"));
    setImmediate(() => {
      this.noDelayDuringHandshake = this.noDelay;
      this.emit("ready");
    });
  }
  forwardOut(_srcIp: string, _srcPort: number, _host: string, _port: number, cb: (error: Error | undefined, channel: EventEmitter) => void): void {
    cb(undefined, new EventEmitter());
  }
  end(): void {}
}

vi.mock("ssh2", () => ({ default: { Client: FakeClient } }));

describe("the SSH tunnel's connection", () => {
  it("turns Nagle's algorithm off from the first packet: the handshake's exchanges too", async () => {
    // given
    const tunnel = new SshTunnel({ host: "127.0.172.10", port: 2222, user: "vcap", privateKey: "unused by the stand-in" }, { logger: silentLogger, label: "SSH tunnel", onWarning: () => undefined });
    // when
    await tunnel.forward("127.0.172.10", 6868);
    // then
    expect(made).toHaveLength(1);
    expect(made[0]?.noDelayDuringHandshake).toBe(true);
    expect(made[0]?.noDelay).toBe(true);
    await tunnel.close();
  });
});
