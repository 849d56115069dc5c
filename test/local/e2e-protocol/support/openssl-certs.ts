/**
 * A CA and an RSA server certificate for an IP, made with the openssl command, the way the
 * manifest's `default_ca` / `mbus_bootstrap_ssl` variables would be.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  ca: string;
  certificate: string;
  privateKey: string;
}

export function certificatesFor(ip: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "certs-"));
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-subj", "/CN=test-ca", "-days", "1",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${ip}`]);
  writeFileSync(file("ext"), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  openssl(["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-out", file("server.pem"), "-days", "1", "-extfile", file("ext")]);
  return {
    ca: readFileSync(file("ca.pem"), "utf8"),
    certificate: readFileSync(file("server.pem"), "utf8"),
    privateKey: readFileSync(file("server.key"), "utf8"),
  };
}
