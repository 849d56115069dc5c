/**
 * SSH keys judged as ssh2, the SSH tunnel's own parser, judges them, with ssh2 loaded only when
 * its answer is not known already: loading it takes longer (60-250 ms) than all the rest of a
 * no-op deploy's manifest checks. What bosh's `ssh` generator writes, an unencrypted PKCS#1 RSA
 * key and an `ssh-rsa` line, is read here: ssh2 reads n and e of the one and the name, e and n
 * of the other's blob, so whatever node:crypto and the blob's framing accept here, it accepts
 * too. Every other key, and every key that fails here, is asked of ssh2, so its words are the
 * ones the user reads.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { sshRsaPublicBlob } from "../generators/rsa-keys.js";

type Ssh2 = typeof import("ssh2");
let loaded: Ssh2 | undefined;
// Required, not imported: the checks are synchronous, and ssh2 is CommonJS.
const ssh2 = (): Ssh2 => (loaded ??= createRequire(import.meta.url)("ssh2") as Ssh2);

/** Why ssh2 cannot read a key (private, or a public key line), or undefined when it can. */
export function sshKeyProblem(text: string, allowEncrypted: boolean): string | undefined {
  if (plainRsaPrivateKey(text) !== undefined || rsaPublicLineBlob(text) !== undefined) return undefined;
  const parsed = ssh2().utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) return "no key";
  if (!(key instanceof Error)) return undefined;
  if (allowEncrypted && /passphrase/i.test(key.message)) return undefined;
  return key.message;
}

/** Whether a public key line is the public half of a private key; true when either is unreadable (said elsewhere). */
export function sshPairMatches(privateText: string, publicLine: string): boolean {
  const privateKey = plainRsaPrivateKey(privateText);
  const blob = rsaPublicLineBlob(publicLine);
  if (privateKey !== undefined && blob !== undefined && sshRsaPublicBlob(privateKey).equals(blob)) return true;
  const priv = ssh2().utils.parseKey(privateText);
  const pub = ssh2().utils.parseKey(publicLine);
  if (priv instanceof Error || pub instanceof Error || Array.isArray(priv) || Array.isArray(pub)) return true;
  return priv.getPublicSSH().equals(pub.getPublicSSH());
}

// No header lines (a colon cannot occur): an encrypted PEM key carries Proc-Type and DEK-Info.
const PKCS1_RSA = /^-----BEGIN RSA PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END RSA PRIVATE KEY-----$/;
const RSA_LINE = /^ssh-rsa ([A-Za-z0-9+/=]+)(?:[ \t].*)?$/;

function plainRsaPrivateKey(text: string): KeyObject | undefined {
  const pem = text.trim();
  if (!PKCS1_RSA.test(pem)) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** The blob of an `ssh-rsa <base64> [comment]` line framed as name, e, n and nothing more. */
function rsaPublicLineBlob(text: string): Buffer | undefined {
  const base64 = RSA_LINE.exec(text.trim())?.[1];
  if (base64 === undefined) return undefined;
  const blob = Buffer.from(base64, "base64");
  const fields: Buffer[] = [];
  let at = 0;
  while (fields.length < 3 && at + 4 <= blob.length) {
    const end = at + 4 + blob.readUInt32BE(at);
    if (end > blob.length) return undefined;
    fields.push(blob.subarray(at + 4, end));
    at = end;
  }
  const [name, e, n] = fields;
  const framed = at === blob.length && name?.toString("latin1") === "ssh-rsa" && e !== undefined && e.length > 0 && n !== undefined && n.length > 0;
  return framed ? blob : undefined;
}
