/**
 * RSA key material in the encodings bosh-cli's generators write: PKCS#1 "RSA PRIVATE KEY" PEM,
 * PKIX "PUBLIC KEY" PEM, the OpenSSH public key blob, and the raw modulus/exponent for key
 * identifiers. Generation is asynchronous because 3072/4096-bit keys take hundreds of milliseconds.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { KeyPool, keySizesFor } from "./key-pool.js";

const generateRsa = promisify(generateKeyPair);

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

async function generate(bits: number): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateRsa("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  return { privateKey, publicKey };
}

const pool = new KeyPool(generate, availableParallelism());

export function newRsaKeyPair(bits: number): Promise<RsaKeyPair> {
  return pool.take(bits);
}

/** Starts the keys of typed variables about to be generated (see key-pool.ts). */
export function generateKeysAhead(definitions: readonly { type?: string; options?: unknown }[], signal?: AbortSignal): void {
  pool.ahead(keySizesFor(definitions), signal);
}

export const pkcs1PrivatePem = (key: KeyObject): string => key.export({ type: "pkcs1", format: "pem" }).toString();
export const pkixPublicPem = (key: KeyObject): string => key.export({ type: "spki", format: "pem" }).toString();

/** The OpenSSH public key blob of an RSA key (RFC 4253 "ssh-rsa": name, e, n). */
export function sshRsaPublicBlob(key: KeyObject): Buffer {
  const { n, e } = rsaComponents(key);
  return Buffer.concat([sshString(Buffer.from("ssh-rsa")), sshString(mpint(e)), sshString(mpint(n))]);
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

/** Big-endian unsigned bytes without leading zeros (Go's big.Int.Bytes()). */
export function rsaComponents(key: KeyObject): { n: Buffer; e: Buffer } {
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new Error("not an RSA key");
  return { n: Buffer.from(jwk.n, "base64url"), e: Buffer.from(jwk.e, "base64url") };
}
