/** bosh-cli's `password`, `rsa` and `ssh` variable types (config-server generator rules). */
import { createHash, randomInt } from "node:crypto";
import { newRsaKeyPair, pkcs1PrivatePem, pkixPublicPem, sshRsaPublicBlob } from "./rsa-keys.js";
import { GenerationError, readOptions } from "./options.js";

const PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The password's length from its options (20 unless given); wrong options throw. */
export function passwordLength(options: unknown): number {
  const { length } = readOptions(options, "password", { length: "int" });
  if (length !== undefined && length < 0) throw new GenerationError("Failed to generate password, 'length' param cannot be negative");
  return length === undefined || length === 0 ? 20 : length;
}

export function generatePassword(options: unknown): string {
  const size = passwordLength(options);
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
  const blob = sshRsaPublicBlob(pair.publicKey);
  const md5 = createHash("md5").update(blob).digest("hex");
  return {
    private_key: pkcs1PrivatePem(pair.privateKey),
    public_key: `ssh-rsa ${blob.toString("base64")}\n`,
    public_key_fingerprint: md5.match(/../g)?.join(":") ?? md5,
  };
}
