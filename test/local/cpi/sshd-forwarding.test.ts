/**
 * The VM's SSH server: public keys from env.bosh.authorized_keys, local forwarding to the VM's
 * own IP only, with the ssh2 client and with OpenSSH's `ssh -L`. The stand-in agent serves
 * HTTP on <vm ip>:6868. IPs 127.0.30.30-39.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../src/local/vm/process-info.js";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "./support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "./support/run-cpi.js";

const IP = "127.0.30.30";
const work = mkdtempSync(join(tmpdir(), "sshd-test-"));
let cpi: CpiRunner;
let vm: string;
let keyPath: string;

function sshKey(name: string, type: "rsa" | "ed25519"): { path: string; publicKey: string } {
  const path = join(work, name);
  // PEM (PKCS#1) for RSA, as the vars store's `ssh` type generates it.
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048", "-m", "PEM"] : []), "-N", "", "-f", path]);
  return { path, publicKey: readFileSync(`${path}.pub`, "utf8").trim() };
}

function connect(privateKey: Buffer, username = "vcap"): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect({ host: IP, port: 2222, username, privateKey, readyTimeout: 60_000 });
  });
}

function httpThrough(client: ssh2.Client, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.forwardOut("127.0.0.1", 0, host, 6868, (error, channel) => {
      if (error) return reject(error);
      let body = "";
      channel.on("data", (chunk: Buffer) => (body += chunk.toString()));
      channel.on("close", () => resolve(body));
      channel.end(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const rsa = sshKey("id_rsa", "rsa");
  const ed = sshKey("id_ed25519", "ed25519");
  keyPath = rsa.path;
  cpi = cpiRunner({ script: await cpiBundle() });
  const stemcell = await cpi.ok("create_stemcell", [fakeStemcellImage(), {}]);
  const env = { bosh: { authorized_keys: [rsa.publicKey, ed.publicKey] } };
  vm = ((await cpi.ok("create_vm", ["agent-s", stemcell, {}, manualNetwork(IP), [], env])) as [string])[0];
  // The stand-in agent listens once its node process is up.
  const client = await connect(readFileSync(keyPath));
  const ready = await waitFor(async () => (await httpThrough(client, IP).catch(() => "")).includes("agent agent-s"), 15_000, 100);
  client.end();
  if (!ready) throw new Error("the stand-in agent did not answer through the tunnel");
});

afterAll(async () => {
  await cpi.call("delete_vm", [vm]);
});

describe("the VM's SSH server", () => {
  it("forwards to the VM's own IP for an authorized RSA or ed25519 key", async () => {
    for (const key of ["id_rsa", "id_ed25519"]) {
      const client = await connect(readFileSync(join(work, key)));
      expect(await httpThrough(client, IP)).toContain("agent agent-s");
      client.end();
    }
  });

  it("refuses forwarding anywhere but the VM's IP", async () => {
    const client = await connect(readFileSync(keyPath));
    await expect(httpThrough(client, "127.0.0.1")).rejects.toThrow();
    client.end();
  });

  it("refuses unknown keys and other users", async () => {
    const stranger = sshKey("stranger", "ed25519");
    await expect(connect(readFileSync(stranger.path))).rejects.toThrow(/authentication/i);
    await expect(connect(readFileSync(keyPath), "root")).rejects.toThrow(/authentication/i);
  });

  it("works with OpenSSH's ssh -L, pinning the host key the CPI published", async () => {
    // given
    const hostKey = readFileSync(join(cpi.baseDir, "vms", vm, "ssh_host_key.pub"), "utf8").trim();
    const knownHosts = join(work, "known_hosts");
    writeFileSync(knownHosts, `[${IP}]:2222 ${hostKey}\n`);
    chmodSync(keyPath, 0o600);
    const port = await freePort();
    // when
    const ssh: ChildProcess = spawn("ssh", [
      "-N", "-p", "2222", "-i", keyPath,
      "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHosts}`,
      "-o", "ExitOnForwardFailure=yes", "-L", `127.0.0.1:${port}:${IP}:6868`, `vcap@${IP}`,
    ], { stdio: "ignore" });
    try {
      // then
      await expect
        .poll(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => ""), { timeout: 60_000 })
        .toBe("agent agent-s");
    } finally {
      ssh.kill();
    }
    const fingerprint = readFileSync(join(cpi.baseDir, "vms", vm, "ssh_host_key.fingerprint"), "utf8").trim();
    expect(execFileSync("ssh-keygen", ["-l", "-f", join(cpi.baseDir, "vms", vm, "ssh_host_key.pub")], { encoding: "utf8" })).toContain(fingerprint);
    // OpenSSH reads the private key file the CPI wrote, and derives the published key from it.
    expect(execFileSync("ssh-keygen", ["-y", "-f", join(cpi.baseDir, "vms", vm, "ssh_host_key")], { encoding: "utf8" }).trim()).toBe(hostKey);
  });
});
