/**
 * The deployment state as the rest of the program sees it. Keys and meanings are bosh-cli's
 * (reference bosh-cli-create-env.md §3.2) so either tool can read the other's file; the on-disk
 * shape (nulls for never-set lists, our bookkeeping fields) lives in encode/decode only.
 */
export interface DiskRecord {
  id: string;
  cid: string;
  /** MB */
  size: number;
  cloud_properties: Record<string, unknown>;
}

export interface StemcellRecord {
  id: string;
  name: string;
  version: string;
  /** Omitted by bosh-cli when 0. */
  api_version?: number;
  cid: string;
}

export interface ReleaseRecord {
  id: string;
  name: string;
  version: string;
}

/** A compiled package the current VM holds in its blobstore, and the compile it came from. */
export interface VmPackageRecord {
  name: string;
  version: string;
  sha1: string;
  blobstore_id: string;
  /** The compiled-package key id (stemcell, source bytes, dependency closure) it was made for. */
  key: string;
}

export interface DeploymentState {
  director_id: string;
  installation_id: string;
  current_vm_cid: string;
  current_stemcell_id: string;
  current_disk_id: string;
  current_release_ids: string[];
  current_manifest_sha: string;
  disks: DiskRecord[];
  stemcells: StemcellRecord[];
  releases: ReleaseRecord[];
  /** Ours: the agent id of the current VM (bosh-cli derives it again each run). */
  current_agent_id?: string;
  /** Ours: SHA256 fingerprint of the current VM's SSH host key, seen on first use and pinned after. */
  current_vm_ssh_host_key?: string;
  /** Ours: SHA256 fingerprints of BOSH_ALL_PROXY jumpboxes' SSH host keys by "host:port", pinned after first use. */
  jumpbox_ssh_host_keys?: Record<string, string>;
  /**
   * Ours: when `bootstrap stop` stopped the current VM's jobs (ISO time); absent while they run.
   * Cleared by `bootstrap start`, by a deploy that starts them, and when the VM goes.
   */
  jobs_stopped_at?: string;
  /**
   * Ours: digests of what the current VM was made from (resource pool, networks, cloud_provider,
   * disk pool, tags, names), set once it has its disk and networks; a deploy that finds them
   * unchanged updates the instance in place. Absent (bosh-cli drops it) means the VM is replaced.
   */
  current_vm_inputs?: Record<string, string>;
  /** Ours: the compiled packages on the current VM, reused by an in-place update; cleared with the VM. */
  current_vm_packages?: VmPackageRecord[];
  /** Ours: when the last successful deploy finished (ISO time), and the tool that ran it ("bootstrap 0.1.0"). */
  last_deployed_at?: string;
  last_deployed_by?: string;
}

/** The list-valued keys bosh-cli writes as `null` until first set. */
export const LIST_KEYS = ["current_release_ids", "disks", "stemcells", "releases"] as const;
export type ListKey = (typeof LIST_KEYS)[number];

/** Our bookkeeping, kept beside the state in the file and never shown to callers as state. */
export interface StateMeta {
  /** Bumped on every write; lets a reader tell two versions of the same lineage apart. */
  serial: number;
  /** UUID fixed when the file is first written by us; a restored copy of another deployment differs. */
  lineage: string;
  updatedAt: string;
}

/** Everything a file holds: the state, our metadata, and what must be written back as it was. */
export interface StoredState {
  state: DeploymentState;
  meta: StateMeta | undefined;
  /** Lists that were `null` on disk: written back as `null` while still empty, as bosh-cli does. */
  nullLists: ReadonlySet<ListKey>;
  /** Top-level keys neither tool knows today (a newer bosh-cli's), written back verbatim. */
  unknown: Record<string, unknown>;
}

export const SCHEMA_VERSION = 1;

/** A state with nothing recorded, as bosh-cli starts one (ids are filled in before the first write). */
export function emptyDeploymentState(): DeploymentState {
  return {
    director_id: "",
    installation_id: "",
    current_vm_cid: "",
    current_stemcell_id: "",
    current_disk_id: "",
    current_release_ids: [],
    current_manifest_sha: "",
    disks: [],
    stemcells: [],
    releases: [],
  };
}
