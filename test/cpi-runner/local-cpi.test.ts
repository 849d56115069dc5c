/**
 * CpiClient against the real local CPI, installed from the built release
 * (artifacts/bootstrap-local-cpi-release.tgz, made by `npm run build`), with the built
 * stemcell: a stemcell → VM → disk round trip through real processes and namespaces.
 * IPs 127.0.40.10-19.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CpiClient, installCpi, isCpiNotFound } from "../../src/cpi-runner/index.js";
import type { CpiInstallation } from "../../src/cpi-runner/index.js";
import { extractRelease } from "../../src/director-release/index.js";
import { extractStemcellImage } from "../../src/stemcell/index.js";
import { MemoryLogger } from "./fake-cpi-env.js";

const ARTIFACTS = resolve(import.meta.dirname, "../../artifacts");
const CPI_RELEASE = join(ARTIFACTS, "bootstrap-local-cpi-release.tgz");
const STEMCELL = join(ARTIFACTS, "bootstrap-local-stemcell.tgz");
const IP = "127.0.40.10";

let work: string;
let installation: CpiInstallation;
let image: string;
const logger = new MemoryLogger();
let client: CpiClient;
const vmsToDelete: string[] = [];

beforeAll(async () => {
  for (const artifact of [CPI_RELEASE, STEMCELL]) {
    if (!existsSync(artifact)) throw new Error(`${artifact} is missing: run \`npm run build\` first`);
  }
  work = await mkdtemp(join(tmpdir(), "cpi-runner-local-"));
  const release = await extractRelease(CPI_RELEASE, join(work, "release"));
  installation = await installCpi({
    releases: [release],
    templates: [{ name: "local_cpi", release: "bootstrap-local-cpi" }],
    properties: {
      agent: { mbus: "https://mbus:local-cpi-test-pw@0.0.0.0:6868" },
      local: { base_dir: join(work, "base"), ssh_port: 2240 },
    },
    deploymentName: "bosh",
    installationDir: join(work, "installation"),
    logger,
  });
  image = await extractStemcellImage(STEMCELL, join(work, "stemcell"));
  client = new CpiClient({
    installation,
    directorUuid: "director-local",
    stemcellApiVersion: 3,
    journalDir: join(work, "state.json.cpi-journal"),
    logger,
  });
});

afterAll(async () => {
  for (const cid of vmsToDelete) await client.deleteVm(cid, { record: async () => undefined }).catch(() => undefined);
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("the local CPI through CpiClient", () => {
  it("answers info with API v2", async () => {
    expect(await client.info()).toEqual({ api_version: 2, stemcell_formats: ["local-tgz"], vm_ssh_host_key: true });
  });

  it("creates and deletes a stemcell, a VM and a disk", async () => {
    const stemcellCid = await client.createStemcell(image, {}, { tag: { kind: "stemcell" }, record: async () => undefined });
    const networks = {
      default: { type: "manual", ip: IP, netmask: "255.255.255.0", gateway: "127.0.40.1", cloud_properties: {}, default: ["dns", "gateway"] },
    };
    const vm = await client.createVm(
      { agentId: "agent-local-1", stemcellCid, cloudProperties: {}, networks, diskCids: [], env: { bosh: {} } },
      { tag: { kind: "vm" }, record: async () => undefined },
    );
    vmsToDelete.push(vm.cid);
    expect(vm.networks).toMatchObject({ default: { ip: IP } });
    expect(await client.hasVm(vm.cid)).toBe(true);
    await client.setVmMetadata(vm.cid, { director: "director-local", name: "bosh/0" });

    const diskCid = await client.createDisk(64, {}, vm.cid, { tag: { kind: "disk" }, record: async () => undefined });
    expect(await client.hasDisk(diskCid)).toBe(true);
    expect(await client.attachDisk(vm.cid, diskCid)).toMatchObject({ path: expect.any(String) });
    await client.detachDisk(vm.cid, diskCid);
    await client.deleteDisk(diskCid, { record: async () => undefined });
    expect(await client.hasDisk(diskCid)).toBe(false);

    await client.deleteVm(vm.cid, { record: async () => undefined });
    vmsToDelete.splice(0);
    expect(await client.hasVm(vm.cid)).toBe(false);
    const again = await client.deleteVm(vm.cid, { record: async () => undefined }).catch((error: unknown) => error);
    expect(isCpiNotFound(again)).toBe(true);

    await client.deleteStemcell(stemcellCid, { record: async () => undefined });
    expect(await readdir(join(work, "state.json.cpi-journal"))).toEqual([]);
    expect(logger.text()).not.toContain("local-cpi-test-pw");
  });
});
