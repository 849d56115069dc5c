/**
 * A minimal SOCKS5 client (RFC 1928, CONNECT, no authentication) for BOSH_ALL_PROXY=socks5://,
 * e.g. an `ssh -D` already running on the workstation.
 */
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import type { Dialer } from "./dialer.js";
import { AgentUnreachableError } from "./transport-failure.js";

const REPLIES = ["succeeded", "general failure", "not allowed by ruleset", "network unreachable", "host unreachable",
  "connection refused", "TTL expired", "command not supported", "address type not supported"];

export function socks5Dialer(proxyHost: string, proxyPort: number, reach: Dialer): Dialer {
  return async (host, port) => {
    const proxy = `SOCKS5 proxy ${proxyHost}:${proxyPort}`;
    const stream = await reach(proxyHost, proxyPort);
    try {
      stream.write(Buffer.from([5, 1, 0]));
      const method = await readBytes(stream, 2);
      if (method[0] !== 5 || method[1] !== 0) throw new AgentUnreachableError("proxy", proxy, "it requires authentication");
      stream.write(Buffer.concat([Buffer.from([5, 1, 0]), encodeAddress(host), Buffer.from([port >> 8, port & 0xff])]));
      const head = await readBytes(stream, 4);
      if (head[1] !== 0) {
        const reason = REPLIES[head[1] ?? 1] ?? `reply ${head[1]}`;
        const layer = head[1] === 5 ? "tcp-refused" : head[1] === 4 || head[1] === 3 ? "tcp-timeout" : "proxy";
        throw new AgentUnreachableError(layer, `${host}:${port}`, `${proxy}: ${reason}`);
      }
      const addressLength = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await readBytes(stream, 1))[0] ?? 0;
      await readBytes(stream, addressLength + 2);
      return stream;
    } catch (error) {
      stream.destroy();
      throw error instanceof AgentUnreachableError ? error : new AgentUnreachableError("proxy", proxy, String(error), error);
    }
  };
}

function encodeAddress(host: string): Buffer {
  if (isIP(host) === 4) return Buffer.from([1, ...host.split(".").map(Number)]);
  const name = Buffer.from(host);
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

/** Reads exactly n bytes, pushing any surplus back so TLS sees the stream from its first byte. */
function readBytes(stream: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < n) return;
      cleanup();
      stream.pause();
      if (buffered.length > n) stream.unshift(buffered.subarray(n));
      resolve(buffered.subarray(0, n));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error("the proxy closed the connection"));
    };
    const cleanup = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onEnd);
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onEnd);
    // A stream paused by the previous read does not flow again just because of a new listener.
    stream.resume();
  });
}
