import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateValue, GenerationError, type CertificateValue } from "../../src/manifest/generators/index.js";

const noCa = () => Promise.reject(new Error("no CA expected"));
const DAY = 24 * 3600 * 1000;

async function cert(options: unknown, cas: Record<string, CertificateValue> = {}): Promise<CertificateValue> {
  return (await generateValue("certificate", options, async (name) => {
    const ca = cas[name];
    if (ca === undefined) throw new GenerationError(`no ${name}`);
    return ca;
  })) as CertificateValue;
}

describe("certificate generator", () => {
  it("makes a self-signed CA and a leaf whose chain verifies, with bosh-cli's subject, SANs, usages and validity", async () => {
    const ca = await cert({ is_ca: true, common_name: "default.ca", key_length: 2048 });
    const leaf = await cert(
      { ca: "default_ca", common_name: "10.0.0.6", alternative_names: ["10.0.0.6", "director.internal", "fd00::6"], key_length: 2048 },
      { default_ca: ca },
    );
    const caCert = new X509Certificate(ca.certificate);
    const leafCert = new X509Certificate(leaf.certificate);

    expect(caCert.ca).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.subject.split("\n")).toEqual(["C=US", "O=Cloud Foundry", "CN=default.ca"]);
    expect(ca.ca).toBe(ca.certificate);

    expect(leafCert.ca).toBe(false);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leaf.ca).toBe(ca.certificate);
    expect(leafCert.subjectAltName).toBe("IP Address:10.0.0.6, DNS:director.internal, IP Address:FD00:0:0:0:0:0:0:6");
    expect(leafCert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(leafCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const validity = Date.parse(leafCert.validTo) - Date.parse(leafCert.validFrom);
    expect(validity).toBe(365 * DAY);

    // The private key is PKCS#1 and matches the certificate.
    expect(leaf.private_key.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
    expect(leafCert.checkPrivateKey(createPrivateKey(leaf.private_key))).toBe(true);
    // SubjectKeyId is SHA-1 of the modulus bytes, as config-server computes it.
    const modulus = Buffer.from(createPublicKey(leaf.certificate).export({ format: "jwk" }).n as string, "base64url");
    expect(leafCert.raw.includes(createHash("sha1").update(modulus).digest())).toBe(true);
  });

  it("honours key_length (default 3072), extended_key_usage, organization and duration", async () => {
    const ca = await cert({ is_ca: true, common_name: "ca", organization: "Acme", duration: 30 });
    const caCert = new X509Certificate(ca.certificate);
    expect(caCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(caCert.subject).toContain("O=Acme");
    expect(Date.parse(caCert.validTo) - Date.parse(caCert.validFrom)).toBe(30 * DAY);

    const client = await cert({ ca: "ca", common_name: "client", extended_key_usage: ["client_auth", "server_auth"], key_length: 2048 }, { ca });
    expect(new X509Certificate(client.certificate).keyUsage?.sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  });

  it("signs an intermediate CA with its parent and reports the parent as `ca`", async () => {
    const root = await cert({ is_ca: true, common_name: "root", key_length: 2048 });
    const inter = await cert({ is_ca: true, ca: "root", common_name: "inter", key_length: 2048 }, { root });
    const interCert = new X509Certificate(inter.certificate);
    expect(interCert.ca).toBe(true);
    expect(interCert.verify(new X509Certificate(root.certificate).publicKey)).toBe(true);
    expect(inter.ca).toBe(root.certificate);
  });

  it("rejects what config-server rejects", async () => {
    await expect(cert({ common_name: "leaf" })).rejects.toThrow("Missing required CA name");
    await expect(cert({ is_ca: true, key_length: 1024 })).rejects.toThrow("Invalid key_length: 1024");
    await expect(cert({ is_ca: true, organizations: ["x"] })).rejects.toThrow("unsupported option 'organizations'");
    // Refused before its CA is looked up (there is none here) or a key is made.
    await expect(cert({ ca: "ca", extended_key_usage: ["code_signing"], key_length: 2048 })).rejects.toThrow(
      "Unsupported extended key usage value: code_signing",
    );
    await expect(generateValue("user", null, noCa)).rejects.toThrow("Unsupported value type: user");
  });
});

describe("password, rsa and ssh generators", () => {
  it("password: 20 of [a-z0-9] by default, `length` honoured, negative refused", async () => {
    expect(await generateValue("password", null, noCa)).toMatch(/^[a-z0-9]{20}$/);
    expect(await generateValue("password", { length: 40 }, noCa)).toMatch(/^[a-z0-9]{40}$/);
    await expect(generateValue("password", { length: -1 }, noCa)).rejects.toThrow("'length' param cannot be negative");
    await expect(generateValue("password", { size: 3 }, noCa)).rejects.toThrow("unsupported option 'size'");
  });

  it("rsa: 2048-bit PKCS#1 private key and PKIX public key of the same pair", async () => {
    const v = (await generateValue("rsa", null, noCa)) as { private_key: string; public_key: string };
    expect(v.private_key.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(v.public_key.startsWith("-----BEGIN PUBLIC KEY-----")).toBe(true);
    const derived = createPublicKey(createPrivateKey(v.private_key)).export({ type: "spki", format: "pem" });
    expect(derived).toBe(v.public_key);
    expect(createPublicKey(v.public_key).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it("ssh: authorized_keys line of the private key and its MD5 fingerprint", async () => {
    const v = (await generateValue("ssh", null, noCa)) as { private_key: string; public_key: string; public_key_fingerprint: string };
    expect(v.public_key).toMatch(/^ssh-rsa [A-Za-z0-9+/=]+\n$/);
    const blob = Buffer.from(v.public_key.split(" ")[1] as string, "base64");
    expect(v.public_key_fingerprint).toBe(createHash("md5").update(blob).digest("hex").match(/../g)?.join(":"));
    // The blob decodes (RFC 4253 ssh-rsa) to the private key's public numbers.
    const jwk = createPublicKey(createPrivateKey(v.private_key)).export({ format: "jwk" });
    const read = (offset: number): [Buffer, number] => {
      const len = blob.readUInt32BE(offset);
      return [blob.subarray(offset + 4, offset + 4 + len), offset + 4 + len];
    };
    const [type, o1] = read(0);
    const [e, o2] = read(o1);
    const [n] = read(o2);
    expect(type.toString()).toBe("ssh-rsa");
    expect(e.toString("base64url")).toBe(jwk.e);
    expect(n.subarray(n[0] === 0 ? 1 : 0).toString("base64url")).toBe(jwk.n);
  });
});
