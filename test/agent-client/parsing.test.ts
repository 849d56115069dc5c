// Pure pieces: mbus URL, BOSH_ALL_PROXY, the envelope, error classification, fingerprints.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllProxy } from "../../src/agent-client/all-proxy.js";
import { publicKeyFingerprint, sameFingerprint, sha256Fingerprint } from "../../src/agent-client/host-key.js";
import { parseMbusUrl } from "../../src/agent-client/mbus-url.js";
import { decodeResponse, encodeRequest, readTaskProgress } from "../../src/agent-client/rpc-envelope.js";
import { classifyTransportError } from "../../src/agent-client/transport-failure.js";
import { redact } from "../../src/common/index.js";

describe("parseMbusUrl", () => {
  it("takes host, port and the exact Basic header, and registers the password as a secret", () => {
    const e = parseMbusUrl("https://mbus:p%40ss-word-1@10.0.0.6:6868/agent");
    expect(e).toMatchObject({ host: "10.0.0.6", port: 6868, origin: "https://10.0.0.6:6868" });
    expect(e.authorization).toBe(`Basic ${Buffer.from("mbus:p@ss-word-1").toString("base64")}`);
    expect(redact("pw is p@ss-word-1")).not.toContain("p@ss-word-1");
  });

  it("strips IPv6 brackets for dialling and keeps them in the origin", () => {
    expect(parseMbusUrl("https://u:p@[fd00::6]:6868")).toMatchObject({ host: "fd00::6", origin: "https://[fd00::6]:6868" });
  });

  it.each([
    ["not a url", "is not a URL"],
    ["http://mbus:secret-pw@10.0.0.6:6868", 'has scheme "http"'],
    ["https://mbus:secret-pw@10.0.0.6", "has no port"],
  ])("rejects %s without echoing it", (text, message) => {
    let error: unknown;
    try {
      parseMbusUrl(text);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "MANIFEST_INVALID", message: expect.stringContaining(message) });
    expect(String((error as Error).message)).not.toContain("secret-pw");
  });
});

describe("parseAllProxy", () => {
  let dir: string;
  let keyPath: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "all-proxy-"));
    keyPath = join(dir, "key");
    writeFileSync(keyPath, "KEY TEXT");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads ssh+socks5 as bosh-cli does, user defaulting to jumpbox", () => {
    expect(parseAllProxy(`ssh+socks5://ops@10.0.0.5:22?private-key=${keyPath}`)).toEqual({
      kind: "ssh", host: "10.0.0.5", port: 22, user: "ops", privateKey: "KEY TEXT",
    });
    expect(parseAllProxy(`ssh+socks5://10.0.0.5:2222?private-key=${keyPath}`)).toMatchObject({ user: "jumpbox", port: 2222 });
  });

  it("reads a host-key=SHA256:… pin (which bosh-cli ignores), a + in it escaped or not", () => {
    const fingerprint = "SHA256:ab+cd/efghijklmnopqrstuvwxyzABCDEFGHIJKLMNO";
    for (const written of [fingerprint, encodeURIComponent(fingerprint)]) {
      expect(parseAllProxy(`ssh+socks5://ops@10.0.0.5:22?private-key=${keyPath}&host-key=${written}`)).toMatchObject({ hostKeyFingerprint: fingerprint });
    }
    expect(parseAllProxy(`ssh+socks5://ops@10.0.0.5:22?private-key=${keyPath}`)).not.toHaveProperty("hostKeyFingerprint");
  });

  it("reads a plain socks5 proxy", () => {
    expect(parseAllProxy("socks5://127.0.0.1:1080")).toEqual({ kind: "socks5", host: "127.0.0.1", port: 1080 });
  });

  it.each([
    ["ssh+socks5://10.0.0.5:22", "USAGE", "private-key"],
    ["ssh+socks5://10.0.0.5:22?private-key=/nonexistent/key", "FILE_NOT_FOUND", "/nonexistent/key"],
    ["http://proxy:3128", "USAGE", "expected ssh+socks5"],
    ["socks5://proxy", "USAGE", "has no port"],
    ["ssh+socks5://10.0.0.5:22?private-key=/k&host-key=ssh-ed25519", "USAGE", "host-key that is not a SHA256:"],
  ])("rejects %s", (text, code, message) => {
    expect(() => parseAllProxy(text)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });
});

describe("envelope", () => {
  it("encodes the request shape bosh-cli sends", () => {
    expect(JSON.parse(encodeRequest("apply", [{ a: 1 }], "dir-1"))).toEqual({ method: "apply", arguments: [{ a: 1 }], reply_to: "dir-1" });
  });

  it.each([
    ['{"value":"pong"}', { kind: "value", value: "pong" }],
    ['{"value":null}', { kind: "value", value: null }],
    ['{"exception":{"message":"boom"}}', { kind: "exception", message: "boom" }],
    ['{"value":1,"exception":{"message":"wins"}}', { kind: "exception", message: "wins" }],
    ["{}", undefined],
    ["[1]", undefined],
    ["not json", undefined],
  ])("decodes %s", (body, expected) => {
    expect(decodeResponse(body)).toEqual(expected);
  });

  it("reads a task as running only while the map says so", () => {
    expect(readTaskProgress({ agent_task_id: "t", state: "running" })).toEqual({ kind: "running", taskId: "t" });
    expect(readTaskProgress("applied")).toEqual({ kind: "finished", value: "applied" });
    expect(readTaskProgress({ result: {} })).toEqual({ kind: "finished", value: { result: {} } });
  });
});

describe("classifyTransportError", () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ["ECONNREFUSED", "tcp-refused", false],
    ["ETIMEDOUT", "tcp-timeout", false],
    ["EHOSTUNREACH", "tcp-timeout", false],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls-unknown-ca", true],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls-unknown-ca", true],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls-unknown-ca", true],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls-name-mismatch", true],
    ["CERT_HAS_EXPIRED", "tls", true],
    ["EPROTO", "tls", true],
    ["ECONNRESET", "no-answer", false],
  ])("%s is %s", (code, layer, permanent) => {
    expect(classifyTransportError(withCode(code), "10.0.0.6:6868")).toMatchObject({ code: "AGENT_UNREACHABLE", layer, permanent });
  });
});

describe("host key fingerprints", () => {
  it("match what ssh-keygen -l prints", () => {
    const dir = mkdtempSync(join(tmpdir(), "fp-"));
    try {
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
      const printed = execFileSync("ssh-keygen", ["-lf", join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1] ?? "";
      const parsed = ssh2.utils.parseKey(readFileSync(join(dir, "k.pub"), "utf8"));
      if (parsed instanceof Error || Array.isArray(parsed)) throw new Error("unexpected key parse result");
      expect(sha256Fingerprint(parsed.getPublicSSH())).toBe(printed);
      expect(publicKeyFingerprint(readFileSync(join(dir, "k.pub"), "utf8"))).toBe(printed);
      expect(() => publicKeyFingerprint("not a key")).toThrow(expect.objectContaining({ code: "SSH_TUNNEL_FAILED" }));
      for (const type of ["rsa", "ecdsa"]) {
        execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", join(dir, type)]);
        const line = readFileSync(join(dir, `${type}.pub`), "utf8");
        expect(publicKeyFingerprint(line)).toBe(execFileSync("ssh-keygen", ["-lf", join(dir, `${type}.pub`)], { encoding: "utf8" }).split(" ")[1]);
      }
      // A line whose type is not the blob's, a blob holding only its type name, and text that is not base64.
      const [, blob = ""] = readFileSync(join(dir, "k.pub"), "utf8").split(" ");
      const typeOnly = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519")]).toString("base64");
      for (const bad of [`ssh-rsa ${blob}`, `ssh-ed25519 ${typeOnly}`, "ssh-ed25519 not*base64", "ssh-ed25519"]) {
        expect(() => publicKeyFingerprint(bad), bad).toThrow(expect.objectContaining({ code: "SSH_TUNNEL_FAILED" }));
      }
      expect(sameFingerprint(printed.replace(/^SHA256:/, ""), printed)).toBe(true);
      expect(sameFingerprint(`${printed}=`, printed)).toBe(true);
      expect(sameFingerprint("SHA256:other", printed)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
