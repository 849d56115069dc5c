/**
 * HTTPS to the agent over any Dialer (TCP, SSH tunnel, jumpbox). TLS is always verified against
 * the configured CA with the mbus URL's host as the identity — also when the bytes travel through
 * a tunnel, because the request still names the VM's IP — and connections are kept alive, so a
 * deploy's thousands of get_task polls reuse a handful of forwarded channels.
 */
import { Agent, request, type RequestOptions } from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Duplex, Readable } from "node:stream";
import { checkServerIdentity, connect as tlsConnect } from "node:tls";
import type { Dialer } from "./dialer.js";
import type { MbusEndpoint } from "./mbus-url.js";
import { AgentUnreachableError, classifyTransportError } from "./transport-failure.js";

export interface HttpsRequest {
  method: "GET" | "PUT" | "POST";
  path: string;
  headers?: Record<string, string | number>;
  /** A string is sent whole; a stream is piped with backpressure. */
  body?: string | Readable;
  /** Fails with layer "no-answer" when no response headers arrive in time. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class HttpsTransport {
  private readonly agent: TunnelAgent;

  constructor(
    private readonly endpoint: MbusEndpoint,
    dial: Dialer,
    caCert: string | undefined,
    warn: (message: string) => void,
  ) {
    if (caCert === undefined) {
      warn(`No CA: the agent's certificate at ${endpoint.origin} is not verified, as cloud_provider.cert.ca is not set (bosh-cli does not verify it then either)`);
    }
    this.agent = new TunnelAgent(endpoint.host, dial, caCert);
  }

  /** Resolves with the response once headers arrived; transport failures are classified. */
  send(req: HttpsRequest): Promise<IncomingMessage> {
    const target = this.endpoint.origin;
    const options: RequestOptions = {
      agent: this.agent,
      host: this.endpoint.host,
      port: this.endpoint.port,
      method: req.method,
      path: req.path,
      headers: { Authorization: this.endpoint.authorization, ...req.headers },
      ...(req.signal ? { signal: req.signal } : {}),
    };
    const signal = req.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const outgoing = request(options, (response) => {
        settle();
        if (response.statusCode === 401) {
          response.resume();
          reject(new AgentUnreachableError("http-401", target, `${req.method} ${req.path} answered 401`));
          return;
        }
        resolve(response);
      });
      const timer =
        req.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              outgoing.destroy(new AgentUnreachableError("no-answer", target, `no HTTP answer within ${req.timeoutMs} ms`));
            }, req.timeoutMs);
      // Node reports an aborted request through its socket's events: a request still waiting for
      // its socket (a dial that hangs) or whose keep-alive socket was handed on never hears of the
      // abort, and Ctrl-C would wait for ever. The signal itself ends the wait.
      const onAbort = (): void => {
        settle();
        outgoing.destroy();
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.agent.watch(outgoing);
      outgoing.on("error", (error) => {
        settle();
        reject(signal?.aborted === true ? error : classifyTransportError(error, target));
      });
      if (req.body === undefined || typeof req.body === "string") {
        outgoing.end(req.body);
      } else {
        const body = req.body;
        body.once("error", (error) => outgoing.destroy(error));
        body.pipe(outgoing);
      }
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * An https.Agent whose sockets are TLS over a dialled stream instead of a fresh TCP socket.
 *
 * A socket is kept for the next request only once the request it carried reported 'finish'.
 * Node frees a keep-alive socket when the response has ended and the request merely looks
 * written (nothing left in the socket's buffer); over a dialled stream the last write's callback
 * can come after that, and then Node frees the socket a second time, after handing it to the
 * next request, whose answer is then never read: a compile_package that waits for ever. Such a
 * socket is closed instead, and the next request dials its own.
 */
class TunnelAgent extends Agent {
  private readonly carrying = new WeakMap<Duplex, ClientRequest>();
  private readonly written = new WeakSet<ClientRequest>();

  constructor(
    private readonly identity: string,
    private readonly dial: Dialer,
    private readonly caCert: string | undefined,
  ) {
    super({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 16, maxFreeSockets: 4 });
  }

  /** Follows a request: which socket carries it, and whether it was written whole. */
  watch(request: ClientRequest): void {
    request.on("socket", (socket) => this.carrying.set(socket, request));
    request.once("finish", () => this.written.add(request));
  }

  // @types/node types this as void; Node pools the socket only when it returns true.
  override keepSocketAlive(socket: Duplex): boolean {
    const request = this.carrying.get(socket);
    if (request !== undefined && !this.written.has(request)) return false;
    return (super.keepSocketAlive as (this: Agent, s: Duplex) => unknown).call(this, socket) === true;
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    this.dial(options.host ?? this.identity, Number(options.port)).then(
      (stream) => {
        const socket = tlsConnect({
          socket: stream,
          // SNI may not carry an IP; identity is checked explicitly below either way.
          ...(isHostName(this.identity) ? { servername: this.identity } : {}),
          ALPNProtocols: ["http/1.1"],
          minVersion: "TLSv1.2",
          ...(this.caCert === undefined
            ? { rejectUnauthorized: false }
            : { ca: this.caCert, checkServerIdentity: (_host, cert) => checkServerIdentity(this.identity, cert) }),
        });
        done(null, socket);
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), undefined as never),
    );
    return undefined;
  }
}

function isHostName(host: string): boolean {
  return !/^[\d.]+$/.test(host) && !host.includes(":");
}
