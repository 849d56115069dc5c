/**
 * The VM's SSH server, only for the bootstrapper's tunnel: public-key authentication for one
 * user against the keys in the VM's settings (re-read on every attempt, so keys written after
 * start count), and `direct-tcpip` (ssh -L) forwarding to the VM's own IP only. No shell, no
 * exec, no remote forwarding.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import ssh2 from "ssh2";
import type { Connection, ParsedKey, PublicKeyAuthContext } from "ssh2";
import { authorizedKeysOf } from "./authorized-keys.js";
import type { SshdConfig } from "./sshd-config.js";

export interface RunningSshd {
  close(): Promise<void>;
}

export async function startSshd(config: SshdConfig, log: (line: string) => void): Promise<RunningSshd> {
  const server = new ssh2.Server({ hostKeys: [readFileSync(config.hostKeyPath)] }, (client) => serveTunnelClient(client, config, log));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.ip, () => resolve());
  });
  log(`listening on ${config.ip}:${config.port} for user ${config.user}`);
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One deployer's connection: key authentication, then forwarding to the VM's own IP. */
export function serveTunnelClient(client: Connection, config: SshdConfig, log: (line: string) => void): void {
  // From the first packet: the handshake and authentication are request/response exchanges as
  // well, and with Nagle's algorithm on each reply waited for the delayed ACK of the request
  // (~44 ms each, four of them: key exchange, ssh-userauth, the `none` probe, the key query).
  // ssh2's typings omit the server side's setNoDelay.
  (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
  client.on("error", (error) => log(`client error: ${error.message}`));
  client.on("authentication", (ctx) => {
    if (ctx.method === "publickey" && ctx.username === config.user && keyAccepted(ctx, config)) return ctx.accept();
    return ctx.reject(["publickey"]);
  });
  client.on("ready", () => {
    client.on("tcpip", (accept, reject, info) => {
      if (info.destIP !== config.ip) {
        log(`refused forwarding to ${info.destIP}:${info.destPort} (only ${config.ip} is allowed)`);
        return reject();
      }
      const upstream = connect({ port: info.destPort, host: info.destIP, noDelay: true });
      upstream.once("error", (error) => {
        log(`forwarding to ${info.destIP}:${info.destPort} failed: ${error.message}`);
        reject();
      });
      upstream.once("connect", () => {
        const channel = accept();
        upstream.removeAllListeners("error");
        upstream.on("error", () => channel.destroy());
        channel.on("error", () => upstream.destroy());
        channel.pipe(upstream).pipe(channel);
      });
    });
    client.on("session", (_accept, reject) => reject());
  });
}

function keyAccepted(ctx: PublicKeyAuthContext, config: SshdConfig): boolean {
  const key = authorizedKeys(config).find((k) => k.getPublicSSH().equals(ctx.key.data));
  if (key === undefined) return false;
  // Without a signature the client only asks whether the key would do; with one, it must verify.
  if (ctx.signature === undefined || ctx.blob === undefined) return true;
  return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
}

function authorizedKeys(config: SshdConfig): ParsedKey[] {
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(config.settingsPath, "utf8"));
  } catch {
    return [];
  }
  return authorizedKeysOf(settings).flatMap((line) => {
    const parsed = ssh2.utils.parseKey(line);
    if (parsed instanceof Error) return [];
    return Array.isArray(parsed) ? parsed : [parsed];
  });
}
