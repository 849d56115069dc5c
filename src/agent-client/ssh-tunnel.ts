/**
 * One long-lived SSH connection used to open forwarded channels (direct-tcpip) to the mbus
 * address. States: idle → connecting → connected → (dropped) idle. It connects lazily on the first
 * forward(), keeps the connection alive with SSH keepalives, and after a drop (VM sshd restart,
 * network blip, keepalive failures) the next forward() connects again. The host key is checked
 * against the pinned fingerprint; without one, the first key seen is trusted, reported as a
 * warning, and pinned for the rest of the session so a reconnect cannot silently land on
 * another host. onConnected hears the verified key before a new connection carries anything.
 */
import type { Duplex } from "node:stream";
import type { Client as SshClient, ConnectConfig } from "ssh2";
import { messageOf, registerSecret, type Logger } from "../common/index.js";
import type { Dialer } from "./dialer.js";
import { judgeHostKey, sha256Fingerprint } from "./host-key.js";
import { AgentUnreachableError, type FailureLayer } from "./transport-failure.js";
import type { SshTunnelOptions } from "./types.js";

export interface SshTunnelSettings {
  logger: Logger;
  /** What the connection is for, in messages: "SSH tunnel" or "BOSH_ALL_PROXY jumpbox". */
  label: string;
  /** How to reach the SSH server itself; plain TCP when absent. */
  dialer?: Dialer;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Trust downgrades (a host key trusted on first use); logger.warn when absent. */
  onWarning?: (message: string) => void;
  /** The verified host key of each new connection, awaited before the connection is used; a rejection fails it. */
  onConnected?: (fingerprint: string) => Promise<void>;
}

export class SshTunnel {
  private client: SshClient | undefined;
  private connecting: Promise<SshClient> | undefined;
  private pinned: string | undefined;
  private closed = false;

  constructor(
    private readonly target: SshTunnelOptions,
    private readonly settings: SshTunnelSettings,
  ) {
    this.pinned = target.hostKeyFingerprint;
    registerSecret(target.password);
    registerSecret(target.privateKey);
  }

  /** Opens a channel to host:port on the far side; reconnects once if the connection was dropped. */
  async forward(host: string, port: number): Promise<Duplex> {
    const client = await this.connection();
    try {
      return await openChannel(client, host, port);
    } catch (error) {
      if (!isConnectionGone(error)) throw this.channelFailure(error, host, port);
      this.dropped(client);
      return openChannel(await this.connection(), host, port).catch((e: unknown) => {
        throw this.channelFailure(e, host, port);
      });
    }
  }

  /** The server's key fingerprint: the pinned one, or the one first seen (undefined before that). */
  hostKeyFingerprint(): string | undefined {
    return this.pinned;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    client?.end();
  }

  private connection(): Promise<SshClient> {
    if (this.closed) return Promise.reject(this.failure("ssh-connect", "the client was closed"));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<SshClient> {
    const { host, port, user } = this.target;
    const sock = this.settings.dialer
      ? await this.settings.dialer(host, port).catch((error: unknown) => {
          // Reaching the SSH server is the SSH layer's failure, whatever the TCP cause.
          const detail = error instanceof AgentUnreachableError ? error.detail : messageOf(error);
          throw this.failure("ssh-connect", `TCP to the SSH server: ${detail}`, error);
        })
      : undefined;
    // Loaded on the first connection: most runs of the CLI (a no-op deploy, plan, --help) open none.
    // A CommonJS package: its exports object is the ES module's default.
    const ssh2 = ((await import("ssh2")) as unknown as { default: typeof import("ssh2") }).default;
    const client = new ssh2.Client();
    let hostKeyRejected: string | undefined;
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout: this.settings.readyTimeoutMs ?? 20_000,
      keepaliveInterval: this.settings.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: this.settings.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        const seen = sha256Fingerprint(key);
        const verdict = judgeHostKey(this.pinned, seen);
        if (verdict === "mismatch") {
          hostKeyRejected = seen;
          return false;
        }
        if (verdict === "first-use") {
          this.warn(`${this.settings.label} ${user}@${host}:${port}: host key ${seen} is not pinned (trusting on first use)`);
          this.pinned = seen;
        }
        return true;
      },
      ...(sock ? { sock } : {}),
      ...(this.target.privateKey !== undefined ? { privateKey: this.target.privateKey } : {}),
      ...(this.target.password !== undefined ? { password: this.target.password, tryKeyboard: true } : {}),
    };
    const connected = await new Promise<SshClient>((resolve, reject) => {
      client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => {
        finish(prompts.map(() => this.target.password ?? ""));
      });
      client.once("ready", () => {
        client.removeAllListeners("error");
        client.on("error", (error) => this.settings.logger.debug(`${this.settings.label}: ${messageOf(error)}`));
        this.settings.logger.debug(`${this.settings.label}: connected to ${host}:${port} as ${user}`);
        resolve(client);
      });
      client.once("error", (error: Error & { level?: string }) => {
        client.end();
        if (hostKeyRejected !== undefined) {
          reject(this.failure("ssh-host-key", `pinned ${this.pinned ?? ""}, server offered ${hostKeyRejected}`, error));
        } else if (error.level === "client-authentication") {
          reject(this.failure("ssh-auth", `user ${user}: ${error.message}`, error));
        } else {
          reject(this.failure("ssh-connect", error.message, error));
        }
      });
      try {
        client.connect(config);
        // From the first packet (Node applies it once the socket connects): the handshake,
        // authentication and every agent call are small request/response exchanges, and with
        // Nagle's algorithm on each could wait for the delayed ACK of the one before (~40 ms).
        client.setNoDelay(true);
      } catch (error) {
        // ssh2 throws synchronously for unusable keys.
        reject(this.failure("ssh-auth", `cannot use the private key: ${messageOf(error)}`, error));
      }
    });
    try {
      if (this.pinned !== undefined) await this.settings.onConnected?.(this.pinned);
    } catch (error) {
      connected.end();
      throw error;
    }
    connected.once("close", () => this.dropped(connected));
    this.client = connected;
    return connected;
  }

  private warn(message: string): void {
    if (this.settings.onWarning) this.settings.onWarning(message);
    else this.settings.logger.warn(message);
  }

  private dropped(client: SshClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.settings.logger.debug(`${this.settings.label}: connection to ${this.target.host}:${this.target.port} dropped`);
  }

  private failure(layer: FailureLayer, detail: string, cause?: unknown): AgentUnreachableError {
    const where = `${this.settings.label} ${this.target.user}@${this.target.host}:${this.target.port}`;
    return new AgentUnreachableError(layer, where, detail, cause);
  }

  private channelFailure(error: unknown, host: string, port: number): AgentUnreachableError {
    if (error instanceof AgentUnreachableError) return error;
    const reason = (error as { reason?: unknown }).reason;
    const detail = `${this.settings.label} could not open ${host}:${port}: ${messageOf(error)}`;
    // RFC 4254 reason codes: 1 administratively prohibited, 2 connect failed.
    if (reason === 1) return new AgentUnreachableError("ssh-forward", `${host}:${port}`, detail, error);
    if (/refused/i.test(messageOf(error))) return new AgentUnreachableError("tcp-refused", `${host}:${port}`, detail, error);
    // "Connect failed" without a description (ssh2 servers send none) says only that the SSH
    // server could not reach the target from its side.
    if (reason === 2) return new AgentUnreachableError("ssh-forward-connect", `${host}:${port}`, detail, error);
    return new AgentUnreachableError("ssh-connect", `${host}:${port}`, detail, error);
  }
}

function openChannel(client: SshClient, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut("127.0.0.1", 0, host, port, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/** ssh2 reports a dead connection as "Not connected" or "No response from server". */
function isConnectionGone(error: unknown): boolean {
  return /not connected|no response from server/i.test(messageOf(error));
}
