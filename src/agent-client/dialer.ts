/**
 * A Dialer opens a byte stream to host:port: directly over TCP, or through an SSH connection
 * (tunnel or BOSH_ALL_PROXY jumpbox). The HTTPS layer runs TLS over whatever stream it gets.
 */
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { AgentUnreachableError, classifyTransportError } from "./transport-failure.js";

export type Dialer = (host: string, port: number) => Promise<Duplex>;

export function tcpDialer(connectTimeoutMs: number): Dialer {
  return (host, port) =>
    new Promise((resolve, reject) => {
      const target = `${host}:${port}`;
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new AgentUnreachableError("tcp-timeout", target, `no TCP answer within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(classifyTransportError(error, target));
      });
    });
}
