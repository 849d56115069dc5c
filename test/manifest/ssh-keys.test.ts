/**
 * ssh-keys: the keys it reads without ssh2 are keys ssh2 reads, and where it asks ssh2 the
 * answer is ssh2's own. Every case is compared with ssh2 called directly.
 */
import { generateKeyPairSync } from "node:crypto";
import ssh2 from "ssh2";
import { beforeAll, describe, expect, it } from "vitest";
import { sshKeyProblem, sshPairMatches } from "../../src/manifest/credentials/ssh-keys.js";
import { generateValue } from "../../src/manifest/generators/index.js";

const noCa = () => Promise.reject(new Error("no CA here"));

function ssh2Problem(text: string, allowEncrypted: boolean): string | undefined {
  const parsed = ssh2.utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) return "no key";
  if (!(key instanceof Error)) return undefined;
  return allowEncrypted && /passphrase/i.test(key.message) ? undefined : key.message;
}

function ssh2PairMatches(privateText: string, publicLine: string): boolean {
  const priv = ssh2.utils.parseKey(privateText);
  const pub = ssh2.utils.parseKey(publicLine);
  if (priv instanceof Error || pub instanceof Error || Array.isArray(priv) || Array.isArray(pub)) return true;
  return priv.getPublicSSH().equals(pub.getPublicSSH());
}

/** An ssh-rsa line whose blob is re-framed: `edit` gets the blob's fields (name, e, n). */
function reframed(line: string, edit: (fields: Buffer[]) => Buffer[]): string {
  const blob = Buffer.from(line.split(" ")[1] ?? "", "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length; ) {
    const end = at + 4 + blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, end));
    at = end;
  }
  const frame = (f: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, f.length >> 8, f.length & 0xff]), f]);
  return `ssh-rsa ${Buffer.concat(edit(fields).map(frame)).toString("base64")}`;
}

describe("SSH keys read as ssh2 reads them", () => {
  let generated: { private_key: string; public_key: string };
  let other: { private_key: string; public_key: string };
  const texts: Record<string, string> = {};

  beforeAll(async () => {
    generated = (await generateValue("ssh", null, noCa)) as typeof generated;
    other = (await generateValue("ssh", null, noCa)) as typeof other;
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const ed = ssh2.utils.generateKeyPairSync("ed25519");
    Object.assign(texts, {
      "the generator's private key": generated.private_key,
      "the generator's public key line": generated.public_key,
      "a public key line with a comment": `${generated.public_key.trim()} me@host`,
      "a PKCS#1 key with CRLF line ends": generated.private_key.replace(/\n/g, "\r\n"),
      "an encrypted PKCS#1 key": rsa.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "p" }).toString(),
      "a PKCS#8 key (ssh2 reads none)": rsa.export({ type: "pkcs8", format: "pem" }).toString(),
      "an EC key": ec.export({ type: "sec1", format: "pem" }).toString(),
      "an OpenSSH ed25519 key": ed.private,
      "an ed25519 public key line": ed.public,
      "a PKCS#1 key with a damaged body": generated.private_key.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAAAAAAAAAAAAAAAAAA"),
      "a PKCS#1 key cut short": generated.private_key.split("\n").slice(0, 5).join("\n") + "\n-----END RSA PRIVATE KEY-----\n",
      "an ssh-rsa line with bytes after n": reframed(generated.public_key, (f) => [...f, Buffer.from("x")]),
      "an ssh-rsa line without n": reframed(generated.public_key, (f) => f.slice(0, 2)),
      "an ssh-rsa line whose blob names ssh-dss": reframed(generated.public_key, ([, e, n]) => [Buffer.from("ssh-dss"), e!, n!]),
      "an ssh-rsa line whose blob is cut": `ssh-rsa ${Buffer.from(generated.public_key.split(" ")[1] ?? "", "base64").subarray(0, 40).toString("base64")}`,
      "garbage after the type": "ssh-rsa AAAAB3NzaC1yc2E-garbage",
      "no key at all": "hello",
    });
  });

  it("says of each key what ssh2 says, with and without encrypted keys allowed", () => {
    for (const [name, text] of Object.entries(texts)) {
      for (const allowEncrypted of [false, true]) {
        expect(sshKeyProblem(text, allowEncrypted), `${name} (encrypted allowed: ${allowEncrypted})`).toBe(ssh2Problem(text, allowEncrypted));
      }
    }
    // The table holds both answers: keys read, and keys refused with ssh2's words.
    expect(sshKeyProblem(texts["the generator's public key line"]!, false)).toBeUndefined();
    expect(sshKeyProblem(texts["a PKCS#8 key (ssh2 reads none)"]!, false)).toBe("Unsupported key format");
  });

  it("pairs a private key with a public key line as ssh2 does", () => {
    const pairs: [string, string, boolean][] = [
      [generated.private_key, generated.public_key, true],
      [generated.private_key, `${generated.public_key.trim()} comment`, true],
      [generated.private_key, other.public_key, false],
      [other.private_key, generated.public_key, false],
      [texts["an OpenSSH ed25519 key"]!, texts["an ed25519 public key line"]!, true],
      [generated.private_key, texts["an ed25519 public key line"]!, false],
      [generated.private_key, texts["an ssh-rsa line with bytes after n"]!, true],
      [generated.private_key, "hello", true],
    ];
    for (const [priv, pub, expected] of pairs) {
      expect(ssh2PairMatches(priv, pub)).toBe(expected);
      expect(sshPairMatches(priv, pub)).toBe(expected);
    }
  });
});
