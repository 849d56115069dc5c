/**
 * PEM text read the way its consumers will read it: certificates with X509Certificate, keys
 * with createPrivateKey / createPublicKey, OpenSSH keys and public key lines as ssh2 (the SSH
 * tunnel's own parser) reads them (ssh-keys.ts). Pure. A problem is said in words and never
 * quotes the value, which may be a secret.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { messageOf } from "../../common/index.js";
import { sshKeyProblem } from "./ssh-keys.js";

/** What a field must hold; "any" is a PEM string found somewhere, checked by its own labels. */
export type PemKind = "certificate" | "private-key" | "public-key" | "ssh-public-key" | "any";

export interface PemRead {
  problem?: string;
  certificates: X509Certificate[];
  /** The first private key, to match against a certificate or public key beside it. */
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n?([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
// A passphrase no key has: a well-formed encrypted key then fails to decrypt (accepted: its
// passphrase is given elsewhere), a damaged one fails to decode.
export const PASSPHRASE_PROBE = "bootstrap-probe-passphrase-\u0000";

export const looksLikePem = (value: string): boolean => value.trimStart().startsWith("-----BEGIN ");

export function readPem(text: string, kind: PemKind): PemRead {
  if (kind === "ssh-public-key") return readSshPublicKey(text);
  const out: PemRead = { certificates: [] };
  // A PEM string found in the manifest is read when it opens as a certificate or a key; other
  // armour (PGP keys and signed messages, CRLs, DH parameters) is its consumers' business.
  if (kind === "any" && !isCertificateOrKey(/-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1])) return out;
  const blocks = [...text.matchAll(BLOCK)];
  const begins = text.split("-----BEGIN ").length - 1;
  if (blocks.length === 0) return { ...out, problem: looksLikePem(text) ? "a PEM block without its END line" : `not PEM: expected ${expected(kind)}` };
  if (begins !== blocks.length) return { ...out, problem: "a PEM block without its END line" };
  const labels = blocks.map((b) => b[1] ?? "");
  // As Go's tls.X509KeyPair reads a field: blocks of other types beside the one it wants (EC
  // PARAMETERS before an EC key, a chain's certificates) are passed over, but one must be there.
  const wanted = WANTED[kind];
  if (wanted !== undefined && !labels.some(wanted.test)) return { ...out, problem: `holds ${labels.map((l) => `a ${l}`).join(" and ")} where ${wanted.what} belongs` };
  for (const [index, block] of blocks.entries()) {
    const [whole, label = "", , endLabel] = block;
    const which = blocks.length > 1 ? `block ${index + 1} (${label})` : label;
    if (label !== endLabel) return { ...out, problem: `BEGIN ${label} ends with END ${endLabel}` };
    const problem = readBlock(whole, label, out);
    if (problem !== undefined) return { ...out, problem: `${which} does not parse: ${problem}` };
  }
  return out;
}

const WANTED: Partial<Record<PemKind, { what: string; test: (label: string) => boolean }>> = {
  certificate: { what: "a CERTIFICATE", test: (label) => label === "CERTIFICATE" },
  "private-key": { what: "a PRIVATE KEY", test: (label) => label.endsWith("PRIVATE KEY") },
  "public-key": { what: "a PUBLIC KEY", test: (label) => label.endsWith("PUBLIC KEY") },
};

function isCertificateOrKey(label: string | undefined): boolean {
  return label !== undefined && Object.values(WANTED).some((w) => w.test(label));
}

function expected(kind: PemKind): string {
  return kind === "certificate" ? "a PEM certificate" : kind === "private-key" ? "a PEM private key" : kind === "public-key" ? "a PEM public key" : "PEM";
}

function readBlock(pem: string, label: string, out: PemRead): string | undefined {
  try {
    if (label === "CERTIFICATE") out.certificates.push(new X509Certificate(pem));
    else if (label === "OPENSSH PRIVATE KEY") return sshKeyProblem(pem, true);
    else if (label.endsWith("PRIVATE KEY")) {
      const key = readPrivateKey(pem, label);
      if (key !== undefined) out.privateKey ??= key;
    } else if (label.endsWith("PUBLIC KEY")) out.publicKey ??= createPublicKey(pem);
    // Other types (EC PARAMETERS, X509 CRL, PGP armor, ...) are not read: their consumers judge them.
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

/** undefined for an encrypted key that is well formed (it cannot be opened here, only checked). */
function readPrivateKey(pem: string, label: string): KeyObject | undefined {
  try {
    return createPrivateKey({ key: pem, passphrase: PASSPHRASE_PROBE });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_OSSL_BAD_DECRYPT") return undefined;
    // About one wrong passphrase in 256 decrypts to bytes whose padding looks right, and the
    // error then comes from parsing that garbage: a sound encrypted envelope is still accepted.
    if (label === "ENCRYPTED PRIVATE KEY" && isDerSequence(pemBody(pem))) return undefined;
    throw error;
  }
}

const pemBody = (pem: string): Buffer => Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\s+/g, ""), "base64");

/** One DER SEQUENCE spanning exactly the bytes given (PKCS#8's EncryptedPrivateKeyInfo). */
function isDerSequence(der: Buffer): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] as number;
  if (first < 0x80) return 2 + first === der.length;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || der.length < 2 + octets) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (der[2 + i] as number);
  return 2 + octets + length === der.length;
}

function readSshPublicKey(text: string): PemRead {
  const problem = sshKeyProblem(text, false);
  return problem === undefined ? { certificates: [] } : { certificates: [], problem: `not an OpenSSH public key: ${problem}` };
}

/** Whether a private key belongs to a certificate's or a public key's public half. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const spki = (k: KeyObject): Buffer => (k.type === "private" ? createPublicKey(k) : k).export({ type: "spki", format: "der" });
  return spki(a).equals(spki(b));
}
