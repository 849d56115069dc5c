/**
 * The VM's SSH host key comes from the CPI and is checked on the very first connection: createVm
 * with the real local CPI (bundled from the sources), a VM from the built stemcell whose agent
 * answers through the VM's SSH server, and the agent client the session would make. A VM whose
 * SSH server's key is swapped after create_vm is refused before anything is sent to it.
 * IPs 127.0.110.40-41.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAgent } from "../../src/bootstrap/connect-agent.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { createVm } from "../../src/bootstrap/vm-steps.js";
import { silentLogger } from "../../src/common/index.js";
import { CpiClient } from "../../src/cpi-runner/index.js";
import { newEd25519KeyPair } from "../../src/local/sshd/host-key.js";
import type { BootstrapManifest } from "../../src/manifest/index.js";
import { extractStemcellImage } from "../../src/stemcell/index.js";
import { cpiBundle } from "../local/cpi/support/cpi-bundle.js";
import { manualNetwork } from "../local/cpi/support/fake-stemcell.js";
import { certificatesFor } from "../local/e2e-protocol/support/openssl-certs.js";
import { emptyState, FakeState } from "./fakes.js";

const STEMCELL = resolve(import.meta.dirname, "../../artifacts/bootstrap-local-stemcell.tgz");
const PASSWORD = "vm-host-key-mbus-pw";
const SSH_PORT = 2222;

let work: string;
let cpiPath: string;
let stemcellCid: string;
let clientKey: { private: string; public: string };
const vms: string[] = [];

/** One CPI request through the same executable CpiClient runs, for what CpiClient does not offer. */
async function rawCpi(method: string, args: unknown[]): Promise<unknown> {
  const child = promisify(execFile)(cpiPath, [], { timeout: 180_000 });
  child.child.stdin?.end(JSON.stringify({ method, arguments: args, context: { director_uuid: "director-1" }, api_version: 2 }));
  const response = JSON.parse((await child).stdout) as { result: unknown; error: unknown };
  if (response.error !== null) throw new Error(`${method}: ${JSON.stringify(response.error)}`);
  return response.result;
}

beforeAll(async () => {
  if (!existsSync(STEMCELL)) throw new Error(`${STEMCELL} is missing: run \`npm run build\` first`);
  work = await mkdtemp(join(tmpdir(), "vm-host-key-"));
  const config = join(work, "cpi.json");
  await writeFile(
    config,
    JSON.stringify({
      agent: { mbus: `https://mbus:${PASSWORD}@0.0.0.0:6868` },
      blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/micro_bosh/data/cache" } },
      ntp: [],
      local: { base_dir: join(work, "base"), ssh_port: SSH_PORT, ssh_user: "vcap" },
    }),
  );
  cpiPath = join(work, "cpi");
  await writeFile(cpiPath, `#!/bin/sh\nexec '${process.execPath}' '${await cpiBundle()}' '${config}'\n`, { mode: 0o755 });
  const image = await extractStemcellImage(STEMCELL, join(work, "stemcell"));
  stemcellCid = (await rawCpi("create_stemcell", [image, {}])) as string;
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, "client_key")]);
  clientKey = { private: await readFile(join(work, "client_key"), "utf8"), public: (await readFile(join(work, "client_key.pub"), "utf8")).trim() };
}, 180_000);

afterAll(async () => {
  for (const cid of vms) await rawCpi("delete_vm", [cid]).catch(() => undefined);
  if (stemcellCid !== undefined) await rawCpi("delete_stemcell", [stemcellCid]).catch(() => undefined);
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** createVm as the deploy runs it, with a CPI that may do something to the VM right after create_vm. */
function deployTo(ip: string, afterCreateVm: (cid: string) => Promise<void> = async () => undefined) {
  const certs = certificatesFor(ip);
  const manifest = {
    cloudProvider: {
      templates: [],
      mbus: `https://mbus:${PASSWORD}@${ip}:6868`,
      cert: { ca: certs.ca },
      properties: {},
      sshTunnel: { host: ip, port: SSH_PORT, user: "vcap", privateKey: clientKey.private },
    },
  } as unknown as BootstrapManifest;
  class Cpi extends CpiClient {
    override async createVm(...args: Parameters<CpiClient["createVm"]>): ReturnType<CpiClient["createVm"]> {
      const created = await super.createVm(...args);
      vms.push(created.cid);
      await afterCreateVm(created.cid);
      return created;
    }
  }
  const cpi = new Cpi({ installation: { cpiPath, env: {} }, directorUuid: "director-1", stemcellApiVersion: 3, journalDir: join(work, `journal-${ip}`), logger: silentLogger });
  const state = new FakeState(emptyState());
  const events: BootstrapEvent[] = [];
  const warnings: string[] = [];
  const pinnedAtConnect: (string | undefined)[] = [];
  const signal = new AbortController().signal;
  const ctx: StageContext = {
    reporter: new Reporter({ emit: (e) => events.push(e) }),
    logger: silentLogger,
    signal,
    state,
    cpi,
    connectAgent: () => {
      pinnedAtConnect.push(state.state.current_vm_ssh_host_key);
      return connectAgent({ manifest, state, env: {}, logger: silentLogger, signal, warn: (m) => warnings.push(m) });
    },
  } as StageContext;
  const run = () =>
    createVm(ctx, {
      identity: { deployment: "d", instanceGroup: "bosh", networks: manualNetwork(ip) },
      stemcellCid,
      stemcellRecordId: "stemcell-1",
      cloudProperties: {},
      env: { bosh: { mbus: { cert: { ca: certs.ca, certificate: certs.certificate, private_key: certs.privateKey } }, authorized_keys: [clientKey.public] } },
      tags: {},
      agentTimeoutMs: 120_000,
    });
  return { run, state, warnings, pinnedAtConnect };
}

const vmDir = (cid: string): string => join(work, "base", "vms", cid);

describe("the VM's SSH host key from the CPI", () => {
  it("is pinned before the first connection, which checks it: no trust on first use, no warning", async () => {
    const d = deployTo("127.0.110.40");
    const { cid, agent } = await d.run();
    await agent.close();
    const published = (await readFile(join(vmDir(cid), "ssh_host_key.fingerprint"), "utf8")).trim();
    expect(d.pinnedAtConnect).toEqual([published]);
    expect(d.state.state.current_vm_ssh_host_key).toBe(published);
    expect(d.warnings).toEqual([]);
    await rawCpi("delete_vm", [cid]);
    await expect(rawCpi("get_vm_ssh_host_key", [cid])).rejects.toThrow(/VMNotFound/);
  });

  it("refuses, on the first connection, a VM whose SSH server's key was swapped after create_vm", async () => {
    // given a VM whose SSH server is restarted with another key once create_vm has returned
    let swapped = "";
    const d = deployTo("127.0.110.41", async (cid) => {
      const pair = newEd25519KeyPair();
      await writeFile(join(vmDir(cid), "ssh_host_key"), pair.private, { mode: 0o600 });
      swapped = pair.public;
      await rawCpi("reboot_vm", [cid]);
    });
    // when
    const failure = await d.run().then(() => undefined, (e: unknown) => e);
    // then the key the CPI reported was the pin, and the server's new key was refused
    expect(swapped).not.toBe("");
    const cid = vms[vms.length - 1] as string;
    const reported = (await readFile(join(vmDir(cid), "ssh_host_key.fingerprint"), "utf8")).trim();
    expect(failure).toMatchObject({ code: "AGENT_UNREACHABLE", layer: "ssh-host-key" });
    expect((failure as Error).message).toContain(`pinned ${reported}, server offered SHA256:`);
    expect(d.pinnedAtConnect).toEqual([reported]);
    expect(d.state.state.current_vm_ssh_host_key).toBe(reported);
    expect(d.warnings).toEqual([]);
    await rawCpi("delete_vm", [cid]);
  });
});
