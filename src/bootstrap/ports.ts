/**
 * The orchestration's view of its peers: only the calls it makes, structurally typed so the
 * real CpiClient / AgentClient / StateHandle satisfy them and unit tests can pass fakes.
 */
import type { Logger } from "../common/index.js";
import type { Reporter } from "./reporter.js";

export interface CpiPort {
  createStemcell(imagePath: string, cloudProperties: object, tag?: Record<string, unknown>): Promise<string>;
  deleteStemcell(cid: string): Promise<void>;
  createVm(
    a: { agentId: string; stemcellCid: string; cloudProperties: object; networks: object; diskCids: string[]; env: object },
    tag?: Record<string, unknown>,
  ): Promise<{ cid: string; networks?: unknown }>;
  deleteVm(cid: string): Promise<void>;
  hasVm(cid: string): Promise<boolean>;
  setVmMetadata(cid: string, metadata: Record<string, string>): Promise<void>;
  createDisk(sizeMb: number, cloudProperties: object, vmCid: string, tag?: Record<string, unknown>): Promise<string>;
  attachDisk(vmCid: string, diskCid: string): Promise<unknown>;
  detachDisk(vmCid: string, diskCid: string): Promise<void>;
  deleteDisk(cid: string): Promise<void>;
  setDiskMetadata(cid: string, metadata: Record<string, string>): Promise<void>;
}

export interface AgentStateValue {
  job_state: string;
  processes?: { name: string; state: string }[];
  networks?: Record<string, { ip?: string }>;
}

export interface AgentPort {
  waitUntilReady(o: { timeoutMs: number; intervalMs?: number }): Promise<void>;
  getState(full?: boolean): Promise<AgentStateValue>;
  apply(spec: object): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  drain(type: "shutdown" | "update", spec?: object): Promise<number>;
  runScript(name: string, env?: Record<string, string>): Promise<void>;
  compilePackage(a: {
    blobstoreId: string;
    sha1: string;
    name: string;
    version: string;
    deps: Record<string, { name: string; version: string; sha1: string; blobstore_id: string }>;
  }): Promise<{ blobstoreId: string; sha1: string }>;
  mountDisk(cid: string): Promise<void>;
  unmountDisk(cid: string): Promise<void>;
  listDisk(): Promise<string[]>;
  migrateDisk(): Promise<void>;
  addPersistentDisk(cid: string, hint: unknown): Promise<void>;
  removePersistentDisk(cid: string): Promise<void>;
  fetchLogs(logTypes: string, filters: string[]): Promise<{ blobstoreId: string; sha1: string }>;
  uploadBlob(source: string, opts?: { signal?: AbortSignal; onProgress?: (bytes: number) => void }): Promise<{
    blobId: string;
    sha1: string;
    sha256: string;
    size: number;
  }>;
  downloadBlob(blobId: string, destPath: string): Promise<{ sha1: string; sha256: string; size: number }>;
  close(): Promise<void>;
}

export interface DiskRecord {
  id: string;
  cid: string;
  size: number;
  cloud_properties: Record<string, unknown>;
}

export interface StemcellRecord {
  id: string;
  name: string;
  version: string;
  api_version?: number;
  cid: string;
}

export interface StateShape {
  director_id: string;
  installation_id: string;
  current_vm_cid: string;
  current_stemcell_id: string;
  current_disk_id: string;
  current_release_ids: string[];
  current_manifest_sha: string;
  disks: DiskRecord[];
  stemcells: StemcellRecord[];
  releases: { id: string; name: string; version: string }[];
  current_agent_id?: string;
}

export interface StatePort {
  readonly state: Readonly<StateShape>;
  update(mutate: (draft: StateShape) => void): Promise<void>;
}

/** Everything a stage needs, passed explicitly rather than reached for. */
export interface StageContext {
  reporter: Reporter;
  logger: Logger;
  signal: AbortSignal;
  state: StatePort;
  cpi: CpiPort;
  /** A fresh agent client for whatever VM currently answers at the mbus address. */
  connectAgent(): AgentPort;
}
