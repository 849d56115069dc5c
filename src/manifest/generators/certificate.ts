/**
 * bosh-cli's `certificate` variable type: an RSA certificate signed by a named CA variable (or
 * self-signed for a root CA), with config-server's rules: key_length 2048/3072/4096 (3072),
 * validity `duration` days (365), subject C=US / O=organization ("Cloud Foundry") / CN, leaves
 * get digitalSignature+keyEncipherment and server_auth unless extended_key_usage says otherwise,
 * CAs get keyCertSign+cRLSign. Output: certificate, private_key (PKCS#1), ca (the issuer's cert).
 */
import { createHash, createPrivateKey, webcrypto, type KeyObject } from "node:crypto";
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { isIP } from "node:net";
import { newRsaKeyPair, pkcs1PrivatePem, rsaComponents } from "./rsa-keys.js";
import { certificateOptions } from "./certificate-options.js";
import { GenerationError } from "./options.js";

x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

type CryptoKey = webcrypto.CryptoKey;

export interface CertificateValue {
  certificate: string;
  private_key: string;
  ca: string;
}

/** Looks up an already resolved certificate variable (the `ca` option names one). */
export type CaLoader = (name: string) => Promise<{ certificate: string; private_key: string }>;

const SIGNING = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

export async function generateCertificate(options: unknown, loadCa: CaLoader): Promise<CertificateValue> {
  const o = certificateOptions(options);
  const { isCa, caName, keyLength } = o;
  const usages = leafUsages(o.extendedKeyUsage);

  const issuer = caName === "" ? undefined : await loadIssuer(caName, loadCa);
  const pair = await newRsaKeyPair(keyLength);
  const subjectKeyId = createHash("sha1").update(rsaComponents(pair.publicKey).n).digest("hex");
  const publicKey = await webcrypto.subtle.importKey("spki", der(pair.publicKey, "spki"), SIGNING, true, ["verify"]);
  const ownSigningKey = await webcrypto.subtle.importKey("pkcs8", der(pair.privateKey, "pkcs8"), SIGNING, false, ["sign"]);

  const now = new Date();
  const subject = [{ C: ["US"] }, { O: [o.organization] }, { CN: [o.commonName] }];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(isCa, undefined, true),
    new x509.KeyUsagesExtension(
      isCa ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.SubjectKeyIdentifierExtension(subjectKeyId),
  ];
  // Go copies the issuer's SubjectKeyId (none if the issuer has none); a root CA is its own issuer.
  const authorityKeyId = issuer === undefined ? subjectKeyId : issuer.keyId;
  if (authorityKeyId !== undefined) extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));
  if (!isCa) {
    extensions.push(new x509.ExtendedKeyUsageExtension(usages));
    const names = o.alternativeNames.map((name) => ({ type: isIP(name) === 0 ? "dns" : "ip", value: name }) as const);
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer?.cert.subjectName ?? subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + o.days * 24 * 3600 * 1000),
    publicKey,
    signingKey: issuer?.signingKey ?? ownSigningKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  const pem = cert.toString("pem") + "\n";
  return { certificate: pem, private_key: pkcs1PrivatePem(pair.privateKey), ca: issuer?.pem ?? pem };
}

/** Names certificateOptions accepted; empty means server_auth. */
function leafUsages(names: string[]): string[] {
  if (names.length === 0) return [x509.ExtendedKeyUsage.serverAuth];
  return names.map((name) => (name === "client_auth" ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth));
}

async function loadIssuer(name: string, loadCa: CaLoader) {
  const value = await loadCa(name);
  let cert: x509.X509Certificate;
  let signingKey: CryptoKey;
  try {
    cert = new x509.X509Certificate(value.certificate);
  } catch {
    throw new GenerationError(`Loading certificates: certificate of variable '${name}' did not contain a PEM certificate`);
  }
  try {
    signingKey = await webcrypto.subtle.importKey("pkcs8", der(createPrivateKey(value.private_key), "pkcs8"), SIGNING, false, ["sign"]);
  } catch {
    throw new GenerationError(`Loading certificates: private_key of variable '${name}' is not a PEM RSA private key`);
  }
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const pem = cert.toString("pem") + "\n";
  return { cert, signingKey, keyId: ski?.keyId, pem };
}

const der = (key: KeyObject, type: "spki" | "pkcs8"): Buffer => key.export({ type, format: "der" });
