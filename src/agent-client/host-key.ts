/** SSH host key fingerprints in OpenSSH's notation: `SHA256:` + unpadded base64 of the key blob's digest. */
import { createHash } from "node:crypto";
import { BootstrapError } from "../common/index.js";

export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`), e.g. a VM's
 * ssh_host_key.pub. The line is checked as far as the fingerprint depends on it: base64 whose
 * blob starts with the key type the line names (read here, not with ssh2, which costs every
 * run of the CLI its load time).
 */
export function publicKeyFingerprint(publicKeyLine: string): string {
  const [type = "", base64 = ""] = publicKeyLine.trim().split(/\s+/);
  const blob = /^[A-Za-z0-9+/]+={0,2}$/.test(base64) ? Buffer.from(base64, "base64") : Buffer.alloc(0);
  const nameLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (type === "" || nameLength !== type.length || blob.subarray(4, 4 + nameLength).toString("latin1") !== type || blob.length <= 4 + nameLength) {
    throw new BootstrapError("SSH_TUNNEL_FAILED", `Not an SSH public key: ${publicKeyLine.slice(0, 40)}`, {
      hint: "Give the host's public key line as in ssh_host_*_key.pub, or its SHA256: fingerprint",
    });
  }
  return sha256Fingerprint(blob);
}

/**
 * The trust decision for a host key seen in the SSH handshake: a pinned key must match; without
 * a pin the key is trusted on first use, which the caller must report as a trust downgrade.
 */
export function judgeHostKey(pinned: string | undefined, seen: string): "match" | "mismatch" | "first-use" {
  if (pinned === undefined) return "first-use";
  return sameFingerprint(pinned, seen) ? "match" : "mismatch";
}

/** Accepts the fingerprint with or without the `SHA256:` prefix and with or without padding. */
export function sameFingerprint(pinned: string, seen: string): boolean {
  const normalise = (f: string) => f.trim().replace(/^SHA256:/, "").replace(/=+$/, "");
  return normalise(pinned) === normalise(seen);
}
