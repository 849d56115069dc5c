/**
 * Chooses how bytes reach the mbus: straight TCP, through BOSH_ALL_PROXY (jumpbox over SSH or a
 * SOCKS5 proxy), through the manifest's SSH tunnel, or the tunnel reached via the proxy — the
 * tunnel's own SSH connection is what goes through the proxy, as bosh-cli's SSH client did.
 * The jumpbox's host key is pinned like the tunnel's: by the URL's host-key=, else by the key
 * the caller recorded before (jumpboxHostKeys), else trusted on first use with a warning.
 */
import type { Logger } from "../common/index.js";
import { parseAllProxy } from "./all-proxy.js";
import { tcpDialer, type Dialer } from "./dialer.js";
import { socks5Dialer } from "./socks5-dialer.js";
import { SshTunnel } from "./ssh-tunnel.js";
import type { SshTunnelOptions } from "./types.js";

export interface ConnectionPlan {
  dial: Dialer;
  /** The host key fingerprint of the manifest's SSH tunnel once it connected (pinned or first seen). */
  tunnelHostKey(): string | undefined;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function planConnection(o: {
  sshTunnel?: SshTunnelOptions | undefined;
  allProxy?: string | undefined;
  connectTimeoutMs?: number | undefined;
  sshKeepaliveIntervalMs?: number | undefined;
  jumpboxHostKeys?: Readonly<Record<string, string>> | undefined;
  onJumpboxHostKey?: ((hostPort: string, fingerprint: string) => Promise<void>) | undefined;
  onWarning?: ((message: string) => void) | undefined;
  logger: Logger;
}): ConnectionPlan {
  const tunnels: SshTunnel[] = [];
  let reach: Dialer = tcpDialer(o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  const keepalive = o.sshKeepaliveIntervalMs === undefined ? {} : { keepaliveIntervalMs: o.sshKeepaliveIntervalMs };
  const common = { logger: o.logger, ...keepalive, ...(o.onWarning ? { onWarning: o.onWarning } : {}) };
  if (o.allProxy !== undefined && o.allProxy !== "") {
    const proxy = parseAllProxy(o.allProxy);
    if (proxy.kind === "socks5") {
      reach = socks5Dialer(proxy.host, proxy.port, reach);
    } else {
      const hostPort = hostPortOf(proxy.host, proxy.port);
      const pinned = proxy.hostKeyFingerprint ?? o.jumpboxHostKeys?.[hostPort];
      const record = o.onJumpboxHostKey;
      const jumpbox = new SshTunnel(pinned === undefined ? proxy : { ...proxy, hostKeyFingerprint: pinned }, {
        ...common,
        label: "BOSH_ALL_PROXY jumpbox",
        dialer: reach,
        ...(record ? { onConnected: (fingerprint: string) => record(hostPort, fingerprint) } : {}),
      });
      tunnels.push(jumpbox);
      reach = (host, port) => jumpbox.forward(host, port);
    }
  }
  let tunnelHostKey: () => string | undefined = () => undefined;
  if (o.sshTunnel) {
    const tunnel = new SshTunnel(o.sshTunnel, { ...common, label: "SSH tunnel", dialer: reach });
    tunnels.push(tunnel);
    reach = (host, port) => tunnel.forward(host, port);
    tunnelHostKey = () => tunnel.hostKeyFingerprint();
  }
  return {
    dial: reach,
    tunnelHostKey,
    close: async () => {
      // Innermost first: the tunnel's connection runs over the jumpbox's.
      for (const tunnel of tunnels.reverse()) await tunnel.close();
    },
  };
}

/** How a jumpbox is named among the recorded host keys: "host:port", IPv6 as "[addr]:port". */
function hostPortOf(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
