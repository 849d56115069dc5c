/** readPem: what it accepts as its consumers would, and what it refuses, in words without the value. */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
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
    // Look for such a key: P-256 keys are cheap, and one in 256 is expected; 4096 tries miss it
    // with a chance of about one in ten million.
    for (let i = 0; i < 4096; i++) {
      const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-128-cbc", passphrase: "p" }).toString();
      if (probeUnpads(pem)) {
        expect(readPem(pem, "private-key").problem).toBeUndefined();
        // A damaged envelope is still refused.
        const truncated = pem.replace(/\n[^\n]*\n-----END/, "\n-----END");
        expect(readPem(truncated, "private-key").problem).toMatch(/^ENCRYPTED PRIVATE KEY does not parse: /);
        return;
      }
    }
    throw new Error("no key whose probe decryption unpads in 4096 tries");
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
