/** bosh-cli's `password`, `rsa` and `ssh` variable types (config-server generator rules). */
import { createHash, randomInt } from "node:crypto";
import { newRsaKeyPair, pkcs1PrivatePem, pkixPublicPem, rsaComponents } from "./rsa-keys.js";
import { GenerationError, readOptions } from "./options.js";

const PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function generatePassword(options: unknown): string {
  const { length } = readOptions(options, "password", { length: "int" });
  if (length !== undefined && length < 0) throw new GenerationError("Failed to generate password, 'length' param cannot be negative");
  const size = length === undefined || length === 0 ? 20 : length;
  let out = "";
  for (let i = 0; i < size; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

export async function generateRsa(): Promise<{ private_key: string; public_key: string }> {
  const pair = await newRsaKeyPair(2048);
  return { private_key: pkcs1PrivatePem(pair.privateKey), public_key: pkixPublicPem(pair.publicKey) };
}

export async function generateSsh(): Promise<{ private_key: string; public_key: string; public_key_fingerprint: string }> {
  const pair = await newRsaKeyPair(2048);
  const { n, e } = rsaComponents(pair.publicKey);
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), sshString(mpint(e)), sshString(mpint(n))]);
  const md5 = createHash("md5").update(blob).digest("hex");
  return {
    private_key: pkcs1PrivatePem(pair.privateKey),
    public_key: `ssh-rsa ${blob.toString("base64")}\n`,
    public_key_fingerprint: md5.match(/../g)?.join(":") ?? md5,
  };
}

// SSH wire encoding (RFC 4251 §5): length-prefixed strings; mpints get a zero byte when the top bit is set.
function sshString(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function mpint(unsigned: Buffer): Buffer {
  return (unsigned[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned;
}
