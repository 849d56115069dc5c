/**
 * The built artefacts working together: the CPI from the CPI release's package starts a VM from
 * the local stemcell, whose real agent answers over HTTPS (TLS from env.bosh.mbus.cert, basic
 * auth), also through the VM's SSH server; a file on the persistent disk survives
 * delete_vm / create_vm / attach / mount; delete_vm leaves no process. IPs 127.0.30.40-49.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../src/local/vm/process-info.js";
import { manualNetwork } from "../cpi/support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "../cpi/support/run-cpi.js";
import { inVm, liveVmProcesses, vmRecord } from "../cpi/support/vm-processes.js";
import { buildAndUnpack } from "./support/built-artifacts.js";
import { action, post, type MbusTarget } from "./support/mbus.js";
import { certificatesFor, type TestCertificates } from "./support/openssl-certs.js";

const IP = "127.0.30.40";
const PASSWORD = "mbus-secret-e2e";
let cpi: CpiRunner;
let stemcell: string;
let certs: TestCertificates;
let sshKey: { path: string; publicKey: string };
const vms: string[] = [];

function env(): Record<string, unknown> {
  return {
    bosh: {
      mbus: { cert: { ca: certs.ca, certificate: certs.certificate, private_key: certs.privateKey } },
      authorized_keys: [sshKey.publicKey],
    },
  };
}

const agent = (): MbusTarget => ({ host: IP, port: 6868, ca: certs.ca, user: "mbus", password: PASSWORD });

async function createVm(agentId: string, diskCids: string[] = []): Promise<string> {
  const [cid] = (await cpi.ok("create_vm", [agentId, stemcell, {}, manualNetwork(IP), diskCids, env()])) as [string];
  vms.push(cid);
  const pinged = await waitFor(async () => (await action(agent(), "ping").catch(() => undefined)) === "pong", 30_000, 200);
  if (!pinged) throw new Error(`agent of ${cid} did not answer ping`);
  return cid;
}

beforeAll(async () => {
  const artifacts = await buildAndUnpack();
  certs = certificatesFor(IP);
  const keyPath = join(mkdtempSync(join(tmpdir(), "e2e-ssh-")), "id_rsa");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", keyPath]);
  sshKey = { path: keyPath, publicKey: readFileSync(`${keyPath}.pub`, "utf8").trim() };
  cpi = cpiRunner({ script: artifacts.cpiScript, mbus: `https://mbus:${PASSWORD}@0.0.0.0:6868` });
  stemcell = (await cpi.ok("create_stemcell", [artifacts.stemcellImage, {}])) as string;
}, 120_000);

afterAll(async () => {
  for (const cid of vms) await cpi.call("delete_vm", [cid]);
});

describe("a VM from the local stemcell", () => {
  it("runs the stemcell's agent on the VM's IP over HTTPS with the manifest's certificate and password", async () => {
    // given
    await createVm("agent-e2e-1");
    // then: right CA and password
    expect(await action(agent(), "ping")).toBe("pong");
    // wrong password
    expect((await post({ ...agent(), password: "wrong" }, { method: "ping", arguments: [], reply_to: "x" })).status).toBe(401);
    // wrong CA: the TLS handshake fails
    const otherCa = certificatesFor(IP).ca;
    await expect(post({ ...agent(), ca: otherCa }, { method: "ping", arguments: [], reply_to: "x" })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it("answers through the VM's SSH server, as the deployer's tunnel reaches it", async () => {
    const client = await new Promise<ssh2.Client>((resolve, reject) => {
      const c = new ssh2.Client();
      c.once("ready", () => resolve(c));
      c.once("error", reject);
      c.connect({ host: IP, port: 2222, username: "vcap", privateKey: readFileSync(sshKey.path) });
    });
    try {
      const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
        client.forwardOut("127.0.0.1", 0, IP, 6868, (error, ch) => (error ? reject(error) : resolve(ch))),
      );
      expect(await action({ ...agent(), socket: channel }, "ping")).toBe("pong");
    } finally {
      client.end();
    }
  });

  it("keeps a file on the persistent disk across delete_vm, create_vm, attach_disk and mount_disk", async () => {
    // given a disk mounted at /var/vcap/store with a file on it
    let vm = vms[vms.length - 1] as string;
    const disk = (await cpi.ok("create_disk", [100, {}, vm])) as string;
    let hint = await cpi.ok("attach_disk", [vm, disk]);
    await action(agent(), "add_persistent_disk", [disk, hint]);
    await action(agent(), "mount_disk", [disk]);
    inVm(vmRecord(cpi.baseDir, vm).processes.init.pid, "echo kept > /var/vcap/store/marker");
    expect(readFileSync(join(cpi.baseDir, "disks", disk, "marker"), "utf8")).toBe("kept\n");

    // when the VM is replaced
    const { pidNamespace } = vmRecord(cpi.baseDir, vm).processes;
    const oldPids = await liveVmProcesses(pidNamespace);
    await cpi.ok("delete_vm", [vm]);
    expect(oldPids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    vm = await createVm("agent-e2e-2", [disk]);
    hint = await cpi.ok("attach_disk", [vm, disk]);
    await action(agent(), "add_persistent_disk", [disk, hint]);
    await action(agent(), "mount_disk", [disk]);

    // then the new VM sees the file at /var/vcap/store
    expect(inVm(vmRecord(cpi.baseDir, vm).processes.init.pid, "cat /var/vcap/store/marker")).toBe("kept\n");
    expect(await action(agent(), "list_disk")).toEqual([disk]);
  });
});
