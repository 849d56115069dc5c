/** SSH host key fingerprints in OpenSSH's notation: `SHA256:` + unpadded base64 of the key blob's digest. */
import { createHash } from "node:crypto";

export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Accepts the fingerprint with or without the `SHA256:` prefix and with or without padding. */
export function sameFingerprint(pinned: string, seen: string): boolean {
  const normalise = (f: string) => f.trim().replace(/^SHA256:/, "").replace(/=+$/, "");
  return normalise(pinned) === normalise(seen);
}
