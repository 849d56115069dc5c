/**
 * A VM's SSH host key: generated per VM by create_vm, private key kept beside the VM
 * (never inside its /var/vcap), public key and its OpenSSH-style fingerprint published so a
 * client can pin it: <vm dir>/ssh_host_key.pub (authorized_keys line) and
 * <vm dir>/ssh_host_key.fingerprint ("SHA256:…", as `ssh-keygen -l` prints).
 *
 * The key is made with node:crypto and written in OpenSSH's own private key format by hand:
 * loading ssh2 for its generator was a third of every local CPI call's start-up, for one
 * call in ten that needs it; and ssh2's generator made a key its own parser refused about
 * once in 250 (a public key one byte short).
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

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

const KEY_TYPE = "ssh-ed25519";

/** An Ed25519 pair: the private key in "openssh-key-v1" form, the public one as an authorized_keys line. */
export function newEd25519KeyPair(comment = ""): { private: string; public: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d ?? "", "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  return {
    private: openSshPrivateKey(publicBlob, seed, pub, comment),
    public: `${KEY_TYPE} ${publicBlob.toString("base64")}${comment === "" ? "" : ` ${comment}`}`,
  };
}

/** OpenSSH's PROTOCOL.key layout, unencrypted ("none" cipher and KDF), one key. */
function openSshPrivateKey(publicBlob: Buffer, seed: Buffer, pub: Buffer, comment: string): string {
  const check = randomBytes(4);
  const body = Buffer.concat([check, check, sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  // Padded with 1, 2, 3, … to the cipher's block size (8 for "none").
  const padding = Buffer.from(Array.from({ length: (8 - (body.length % 8)) % 8 }, (_, i) => i + 1));
  const whole = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([body, padding])),
  ]);
  const lines = whole.toString("base64").match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** "SHA256:<base64 without padding>" of the key blob in an authorized_keys line. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}
