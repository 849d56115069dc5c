/** readPem: what it accepts as its consumers would, and what it refuses, in words without the value. */
import { createCipheriv, createDecipheriv, createPrivateKey, generateKeyPairSync, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PASSPHRASE_PROBE, readPem } from "../../src/manifest/credentials/read-pem.js";
import { generateValue } from "../../src/manifest/generators/index.js";

const noCa = () => Promise.reject(new Error("no CA here"));

describe("readPem", () => {
  it("reads a CA bundle's every certificate", async () => {
    const a = (await generateValue("certificate", { is_ca: true, common_name: "a", key_length: 2048 }, noCa)) as { certificate: string };
    const b = (await generateValue("certificate", { is_ca: true, common_name: "b", key_length: 2048 }, noCa)) as { certificate: string };
    const read = readPem(a.certificate + b.certificate, "certificate");
    expect(read.problem).toBeUndefined();
    expect(read.certificates.map((c) => c.subject)).toEqual([expect.stringContaining("CN=a"), expect.stringContaining("CN=b")]);
  });

  it("takes an EC key after its EC PARAMETERS block, and an encrypted key whose passphrase is given elsewhere", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    expect(readPem(params + ec, "private-key").problem).toBeUndefined();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(readPem(rsa.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "p" }).toString(), "any").problem).toBeUndefined();
  });

  it("takes an encrypted key even when the probe passphrase happens to unpad (about one key in 256)", () => {
    const pem = encryptedKeyWhoseProbeUnpads();
    // What the search looked for, as readPem's own probe sees it.
    expect(probeUnpads(pem)).toBe(true);
    expect(readPem(pem, "private-key").problem).toBeUndefined();
    // A damaged envelope is still refused.
    const truncated = pem.replace(/\n[^\n]*\n-----END/, "\n-----END");
    expect(readPem(truncated, "private-key").problem).toMatch(/^ENCRYPTED PRIVATE KEY does not parse: /);
  });

  it("leaves other armour to its consumers: a PGP key in a job property is not ours to judge", () => {
    const pgp = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: x\n\nmQINBF\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n";
    expect(readPem(pgp, "any")).toEqual({ certificates: [] });
  });

  it.each([
    ["a body that is not base64", "-----BEGIN CERTIFICATE-----\nMIIB!!\n-----END CERTIFICATE-----\n", "certificate", /^CERTIFICATE does not parse: /],
    ["a block without its END", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n", "any", /^a PEM block without its END line$/],
    ["mismatched BEGIN and END", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END PUBLIC KEY-----\n", "any", /^BEGIN CERTIFICATE ends with END PUBLIC KEY$/],
    ["a key where a certificate belongs", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", "certificate", /^holds a PUBLIC KEY where a CERTIFICATE belongs$/],
    ["no PEM at all", "hello", "private-key", /^not PEM: expected a PEM private key$/],
  ])("refuses %s", (_name, text, kind, problem) => {
    const read = readPem(text, kind as Parameters<typeof readPem>[1]);
    expect(read.problem).toMatch(problem);
    expect(read.problem).not.toContain("MIIB");
  });
});

/** Whether decrypting with a wrong passphrase passes the padding check and fails later, in parsing. */
function probeUnpads(pem: string): boolean {
  try {
    createPrivateKey({ key: pem, passphrase: PASSPHRASE_PROBE });
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code !== "ERR_OSSL_BAD_DECRYPT";
  }
}

/**
 * One P-256 key in an encrypted PKCS#8 envelope (PBES2: PBKDF2-SHA1 at one iteration, AES-128-CBC,
 * passphrase "p") whose decryption with readPem's probe passphrase passes the padding check. One
 * salt in about 256 does; at one iteration a try costs microseconds, where keys exported by
 * Node (2048 iterations each way) took seconds of CPU to find one.
 */
function encryptedKeyWhoseProbeUnpads(): string {
  const plain = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "der" });
  const aesKey = (passphrase: string, salt: Buffer): Buffer => pbkdf2Sync(passphrase, salt, 1, 16, "sha1");
  for (let i = 0; i < 65_536; i++) {
    const salt = randomBytes(8);
    const iv = randomBytes(16);
    const cipher = createCipheriv("aes-128-cbc", aesKey("p", salt), iv);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    const probe = createDecipheriv("aes-128-cbc", aesKey(PASSPHRASE_PROBE, salt), iv);
    try {
      probe.update(encrypted);
      probe.final();
    } catch {
      continue;
    }
    const der = seq(
      seq(oid(PBES2), seq(seq(oid(PBKDF2), seq(tlv(0x04, salt), tlv(0x02, Buffer.from([1])))), seq(oid(AES_128_CBC), tlv(0x04, iv)))),
      tlv(0x04, encrypted),
    );
    const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
    return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${lines.join("\n")}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
  }
  throw new Error("no salt whose probe decryption unpads in 65 536 tries");
}

const PBES2 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
const PBKDF2 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
const AES_128_CBC = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];

function tlv(tag: number, body: Buffer): Buffer {
  const length = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const oid = (bytes: number[]): Buffer => tlv(0x06, Buffer.from(bytes));
