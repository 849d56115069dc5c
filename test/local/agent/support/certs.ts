/**
 * Test certificates for the agent's mbus: a CA and an RSA server certificate signed by it, with
 * the agent's IP as SAN (RSA because the real agent's TLS 1.2 suites are ECDHE-RSA only).
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface MbusCertificates {
  ca: string;
  certificate: string;
  privateKey: string;
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

export async function generateMbusCertificates(ip: string): Promise<MbusCertificates> {
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 24 * 3600_000);
  const caKeys = await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=agent-test-ca",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: RSA,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const serverKeys = await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const serverCert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: `CN=${ip}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: RSA,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: ip }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return {
    ca: caCert.toString("pem"),
    certificate: serverCert.toString("pem"),
    privateKey: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}
