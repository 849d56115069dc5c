/**
 * Test certificates made with the openssl CLI: a CA, and leaf certificates for given IP SANs
 * signed by it (RSA, as the Go agent's TLS settings require).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  cert: string;
  key: string;
}

export interface TestLeaf {
  cert: string;
  key: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

export function makeCa(name = "test-ca"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "agent-client-ca-"));
  try {
    openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
      "-days", "2", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    return { cert: readFileSync(join(dir, "ca.crt"), "utf8"), key: readFileSync(join(dir, "ca.key"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function makeLeaf(ca: TestCa, ips: string[]): TestLeaf {
  const dir = mkdtempSync(join(tmpdir(), "agent-client-leaf-"));
  try {
    writeFileSync(join(dir, "ca.crt"), ca.cert);
    writeFileSync(join(dir, "ca.key"), ca.key);
    writeFileSync(join(dir, "ext.cnf"), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(",")}\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${ips[0] ?? "agent"}`]);
    openssl(dir, ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.crt",
      "-days", "2", "-extfile", "ext.cnf"]);
    return { cert: readFileSync(join(dir, "leaf.crt"), "utf8"), key: readFileSync(join(dir, "leaf.key"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
