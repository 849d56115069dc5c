/** In-memory fakes of the orchestration's ports, for unit tests of the apply logic only. */
import { Readable } from "node:stream";
import type { BlobStream, CompilePackageArgs } from "../../src/agent-client/index.js";
import type { ArchiveStreamer, VmPackages } from "../../src/bootstrap/compile-on-vm.js";
import type { AgentPort, CpiPort, StateShape, StatePort } from "../../src/bootstrap/ports.js";
import { CpiError, type CreateVmArgs, type Journaled } from "../../src/cpi-runner/index.js";
import { emptyDeploymentState } from "../../src/state/index.js";

export class FakeState implements StatePort {
  writes: StateShape[] = [];
  constructor(public state: StateShape) {}
  async update(mutate: (draft: StateShape) => void): Promise<void> {
    const draft = structuredClone(this.state);
    mutate(draft);
    this.state = draft;
    this.writes.push(structuredClone(draft));
  }
}

/** A new VM: it holds no package and runs no job. */
export function newVmPackages(): VmPackages {
  return { held: [], remember: async () => {}, beforeCompile: async () => {} };
}

export function emptyState(): StateShape {
  return { ...emptyDeploymentState(), director_id: "dir-1", installation_id: "inst-1" };
}

const cpiError = (method: string, type: string, message: string): CpiError => new CpiError(method, type, message, false);

export class FakeCpi implements CpiPort {
  calls: string[] = [];
  vms = new Set<string>();
  disks = new Set<string>();
  stemcells = new Set<string>();
  private n = 0;
  // Calls that create or delete something hand their outcome to `record`, as the real client does.
  async createStemcell(_image: string, _cp: object, j: Journaled<string>): Promise<string> {
    const cid = `sc-${++this.n}`;
    this.stemcells.add(cid);
    this.calls.push("create_stemcell");
    await j.record(cid);
    return cid;
  }
  async deleteStemcell(cid: string, j: Journaled<void>): Promise<void> {
    this.calls.push(`delete_stemcell ${cid}`);
    this.stemcells.delete(cid);
    await j.record();
  }
  async createVm(_a: CreateVmArgs, j: Journaled<{ cid: string }>): Promise<{ cid: string }> {
    const cid = `vm-${++this.n}`;
    this.vms.add(cid);
    this.calls.push("create_vm");
    await j.record({ cid });
    return { cid };
  }
  async deleteVm(cid: string, j: Journaled<void>): Promise<void> {
    this.calls.push(`delete_vm ${cid}`);
    if (!this.vms.delete(cid)) throw cpiError("delete_vm", "Bosh::Clouds::VMNotFound", `VM '${cid}' not found`);
    await j.record();
  }
  async hasVm(cid: string): Promise<boolean> {
    return this.vms.has(cid);
  }
  async setVmMetadata(): Promise<void> {
    throw cpiError("set_vm_metadata", "Bosh::Clouds::NotImplemented", "no metadata here");
  }
  async createDisk(size: number, _cp: object, _vm: string, j: Journaled<string>): Promise<string> {
    const cid = `disk-${++this.n}`;
    this.disks.add(cid);
    this.calls.push(`create_disk ${size}`);
    await j.record(cid);
    return cid;
  }
  async attachDisk(vm: string, disk: string): Promise<unknown> {
    this.calls.push(`attach_disk ${vm} ${disk}`);
    return { path: `/disks/${disk}` };
  }
  async detachDisk(vm: string, disk: string): Promise<void> {
    this.calls.push(`detach_disk ${vm} ${disk}`);
  }
  async deleteDisk(cid: string, j: Journaled<void>): Promise<void> {
    this.calls.push(`delete_disk ${cid}`);
    if (!this.disks.delete(cid)) throw cpiError("delete_disk", "Bosh::Clouds::DiskNotFound", `disk '${cid}' not found`);
    await j.record();
  }
  async setDiskMetadata(): Promise<void> {}
  /** The VM's SSH host key as the CPI reports it (an OpenSSH public key line); undefined as most CPIs. */
  hostKey: string | undefined;
  async vmSshHostKey(): Promise<string | undefined> {
    return this.hostKey;
  }
  async info() {
    return { api_version: 2, stemcell_formats: ["local-tgz"] };
  }
}

export class FakeAgent implements AgentPort {
  calls: string[] = [];
  ready = true;
  jobState = "running";
  async waitUntilReady(): Promise<void> {
    this.calls.push("ping");
    if (!this.ready) throw new Error("agent unreachable");
  }
  async getState() {
    return { job_state: this.jobState };
  }
  /** The last apply spec with a configuration hash, as the agent would install it. */
  applied: Record<string, unknown> | undefined;
  async apply(spec: object): Promise<void> {
    const initial = (spec as { configuration_hash?: string }).configuration_hash === "";
    if (!initial) this.applied = spec as Record<string, unknown>;
    this.calls.push(`apply ${initial ? "initial" : "full"}`);
  }
  async start(): Promise<void> {
    this.calls.push("start");
  }
  async stop(): Promise<void> {
    this.calls.push("stop");
  }
  async drain(type: string): Promise<number> {
    this.calls.push(`drain ${type}`);
    return 0;
  }
  async runScript(name: string): Promise<void> {
    this.calls.push(`run_script ${name}`);
  }
  async compilePackage(a: CompilePackageArgs) {
    const deps = Object.values(a.deps).map((d) => d.blobstore_id);
    this.calls.push(`compile_package ${a.name}${deps.length > 0 ? ` (${deps.join(", ")})` : ""}`);
    return { blobstoreId: `compiled-${a.name}-${++this.compiles}`, sha1: "0".repeat(40) };
  }
  private compiles = 0;
  async mountDisk(cid: string): Promise<void> {
    this.calls.push(`mount_disk ${cid}`);
  }
  async unmountDisk(cid: string): Promise<void> {
    this.calls.push(`unmount_disk ${cid}`);
  }
  async listDisk(): Promise<string[]> {
    return [];
  }
  async migrateDisk(): Promise<void> {
    this.calls.push("migrate_disk");
  }
  async addPersistentDisk(cid: string): Promise<void> {
    this.calls.push(`add_persistent_disk ${cid}`);
  }
  async removePersistentDisk(cid: string): Promise<void> {
    this.calls.push(`remove_persistent_disk ${cid}`);
  }
  async fetchLogs() {
    return { blobstoreId: "logs", sha1: "" };
  }
  async uploadBlob(source: string | BlobStream) {
    const label = typeof source === "string" ? source : source.label;
    this.calls.push(`upload ${label}`);
    // A fake archive (fakeArchives) carries the digests its package states; a file stands for itself.
    const digests = typeof source === "string" ? FAKE_BLOB_DIGESTS : (JSON.parse(Buffer.concat(await source.open().toArray()).toString()) as typeof FAKE_BLOB_DIGESTS);
    return { blobId: `blob-${label}`, ...digests, size: 1 };
  }
  async downloadBlob(_blobId: string, _destPath: string): Promise<{ sha1: string; sha256: string; size: number }> {
    throw new Error("not used");
  }
  /** The fingerprint the tunnel was pinned to, or trusted on first use. */
  hostKey: string | undefined = "SHA256:fake-host-key";
  sshHostKey(): string | undefined {
    return this.hostKey;
  }
  async close(): Promise<void> {}
}

/**
 * Package archives whose bytes are the digests their package states, which FakeAgent.uploadBlob
 * reports as hashed: a fake agent hashes nothing, and every fake package's archive checks out.
 */
export const fakeArchives: ArchiveStreamer = async (packages, take) => {
  for (const p of packages) {
    const bytes = Buffer.from(JSON.stringify({ sha1: p.sha1, sha256: p.archiveSha256 }));
    await take(p, { size: bytes.length, label: p.entry, open: () => Readable.from([bytes]) });
  }
};

/** What FakeAgent.uploadBlob reports for a file. */
const FAKE_BLOB_DIGESTS = { sha1: "1".repeat(40), sha256: "2".repeat(64) };
