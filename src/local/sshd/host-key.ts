/**
 * A VM's SSH host key: generated per VM by create_vm, private key kept beside the VM
 * (never inside its /var/vcap), public key and its OpenSSH-style fingerprint published so a
 * client can pin it: <vm dir>/ssh_host_key.pub (authorized_keys line) and
 * <vm dir>/ssh_host_key.fingerprint ("SHA256:…", as `ssh-keygen -l` prints).
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import ssh2 from "ssh2";

export const HOST_KEY_FILE = "ssh_host_key";

export async function generateHostKey(vmDir: string): Promise<{ privateKeyPath: string; fingerprint: string }> {
  const pair = newEd25519KeyPair();
  const fingerprint = fingerprintOf(pair.public);
  const privateKeyPath = join(vmDir, HOST_KEY_FILE);
  await writeFile(privateKeyPath, pair.private, { mode: 0o600 });
  await writeFile(`${privateKeyPath}.pub`, `${pair.public.trim()}\n`, { mode: 0o644 });
  await writeFile(`${privateKeyPath}.fingerprint`, `${fingerprint}\n`, { mode: 0o644 });
  return { privateKeyPath, fingerprint };
}

/**
 * ssh2's generator drops a leading zero byte of the public key about once in 250 keys; the
 * key is then malformed for its own parser (and OpenSSH), and the VM's SSH server could never
 * start. Such a key is thrown away and another made.
 */
export function newEd25519KeyPair(generate = () => ssh2.utils.generateKeyPairSync("ed25519")): { private: string; public: string } {
  for (;;) {
    const pair = generate();
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

/** "SHA256:<base64 without padding>" of the key blob in an authorized_keys line. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}
