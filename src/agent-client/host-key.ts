/** SSH host key fingerprints in OpenSSH's notation: `SHA256:` + unpadded base64 of the key blob's digest. */
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { BootstrapError } from "../common/index.js";

export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`), e.g. a VM's ssh_host_key.pub. */
export function publicKeyFingerprint(publicKeyLine: string): string {
  const parsed = ssh2.utils.parseKey(publicKeyLine.trim());
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new BootstrapError("SSH_TUNNEL_FAILED", `Not an SSH public key: ${publicKeyLine.slice(0, 40)}`, {
      hint: "Give the host's public key line as in ssh_host_*_key.pub, or its SHA256: fingerprint",
      cause: parsed instanceof Error ? parsed : undefined,
    });
  }
  return sha256Fingerprint(parsed.getPublicSSH());
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
