/**
 * Names the layer at which talking to the agent failed, so "agent unreachable" always says
 * whether it was TCP, SSH, TLS or HTTP and what to do about it. Every transport error is turned
 * into an AgentUnreachableError here, once; `permanent` failures (certificates, credentials,
 * host keys) are not retried, as bosh-cli stops retrying on x509 errors.
 */
import { BootstrapError, messageOf } from "../common/index.js";

export type FailureLayer =
  | "tcp-refused"
  | "tcp-timeout"
  | "ssh-connect"
  | "ssh-auth"
  | "ssh-host-key"
  | "ssh-forward"
  | "ssh-forward-connect"
  | "proxy"
  | "tls-unknown-ca"
  | "tls-name-mismatch"
  | "tls"
  | "http-401"
  | "http-status"
  | "no-answer";

const LAYERS: Record<FailureLayer, { what: string; permanent: boolean; hint: string }> = {
  "tcp-refused": { what: "TCP connection refused", permanent: false,
    hint: "The VM is up but nothing listens on the mbus port yet: check the agent log on the VM and that cloud_provider.mbus names the VM's IP and port" },
  "tcp-timeout": { what: "TCP connection timed out or host unreachable", permanent: false,
    hint: "Nothing answers at that address: check the VM's IP, routes and firewall rules (security groups) for the port" },
  "ssh-connect": { what: "SSH connection failed", permanent: false,
    hint: "Check cloud_provider.ssh_tunnel host and port, and that the VM's SSH server is running and reachable" },
  "ssh-auth": { what: "SSH authentication failed", permanent: false,
    hint: "Check cloud_provider.ssh_tunnel user and private_key: the matching public key must be authorized on the VM" },
  "ssh-host-key": { what: "SSH host key does not match the pinned fingerprint", permanent: true,
    hint: "Another machine answers at that address, or someone is intercepting the connection: find out which before going on. " +
      "A VM's key comes from the CPI or was recorded in the state file on first use; if the VM was really replaced outside bootstrap, deploy with --recreate. " +
      "A jumpbox's key is recorded in the state file (jumpbox_ssh_host_keys); if it was really re-keyed, give the new one as host-key=SHA256:… in BOSH_ALL_PROXY" },
  "ssh-forward": { what: "SSH server refused to forward to the mbus address", permanent: false,
    hint: "The SSH server must allow local forwarding (AllowTcpForwarding) to the mbus host and port" },
  "ssh-forward-connect": { what: "the SSH tunnel is up, but from the VM nothing accepted a connection to the mbus address", permanent: false,
    hint: "The agent is not listening (yet) on the host and port of cloud_provider.mbus: check that port against the agent's mbus URL (CPI property agent.mbus) and the agent log on the VM" },
  proxy: { what: "BOSH_ALL_PROXY proxy failed", permanent: false,
    hint: "Check BOSH_ALL_PROXY (ssh+socks5://user@host:port?private-key=PATH) and that the jumpbox is reachable" },
  "tls-unknown-ca": { what: "TLS certificate not signed by cloud_provider.cert.ca", permanent: true,
    hint: "Set cloud_provider.cert.ca to the CA that signed the agent's mbus certificate (mbus_bootstrap_ssl)" },
  "tls-name-mismatch": { what: "TLS certificate does not name the mbus host", permanent: true,
    hint: "The mbus certificate's subject alternative names must include the IP in cloud_provider.mbus" },
  tls: { what: "TLS handshake failed", permanent: true,
    hint: "Check that the mbus port serves HTTPS with a valid certificate (RSA key, TLS 1.2+)" },
  "http-401": { what: "HTTP 401: the agent rejected the mbus credentials", permanent: true,
    hint: "The user and password in cloud_provider.mbus must match the agent's mbus URL (CPI property agent.mbus)" },
  "http-status": { what: "unexpected HTTP status", permanent: false,
    hint: "Something other than a BOSH agent may be listening on the mbus port" },
  "no-answer": { what: "no answer from the agent", permanent: false,
    hint: "The connection was established but the agent did not answer: check the agent log on the VM" },
};

export class AgentUnreachableError extends BootstrapError {
  readonly layer: FailureLayer;
  readonly permanent: boolean;

  constructor(
    layer: FailureLayer,
    readonly target: string,
    readonly detail: string,
    cause?: unknown,
  ) {
    const entry = LAYERS[layer];
    super("AGENT_UNREACHABLE", `Agent at ${target}: ${entry.what} (${detail})`, { hint: entry.hint, cause });
    this.layer = layer;
    this.permanent = entry.permanent;
  }

  /** The same failure, said from the point of view of a wait that gave up. */
  gaveUp(how: string): AgentUnreachableError {
    return new AgentUnreachableError(this.layer, this.target, `${this.detail}; ${how}`, this);
  }
}

const UNKNOWN_CA = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_SIGNATURE_FAILURE",
]);
const NO_ANSWER = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);

/** Classifies an error from a plain socket, TLS or HTTP exchange (tunnel errors arrive classified). */
export function classifyTransportError(error: unknown, target: string): AgentUnreachableError {
  if (error instanceof AgentUnreachableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = messageOf(error);
  if (code === "ECONNREFUSED") return new AgentUnreachableError("tcp-refused", target, detail, error);
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new AgentUnreachableError("tcp-timeout", target, detail, error);
  }
  if (typeof code === "string" && UNKNOWN_CA.has(code)) return new AgentUnreachableError("tls-unknown-ca", target, detail, error);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return new AgentUnreachableError("tls-name-mismatch", target, detail, error);
  if (typeof code === "string" && (code.startsWith("CERT_") || code.startsWith("ERR_SSL") || code === "EPROTO")) {
    return new AgentUnreachableError("tls", target, detail, error);
  }
  if (typeof code === "string" && NO_ANSWER.has(code)) return new AgentUnreachableError("no-answer", target, detail, error);
  return new AgentUnreachableError("no-answer", target, detail, error);
}
