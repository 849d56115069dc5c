/**
 * The JSON records of the inventory (see inventory-paths.ts), written atomically so a crash
 * leaves the old or the new record, never half of one.
 */
import { readTextIfExists, writeFileAtomic } from "../../common/index.js";
import type { VmAddress, VmLimits, VmProcesses } from "../vm/index.js";

export interface VmRecord {
  cid: string;
  agent_id: string;
  ip: string;
  stemcell_cid: string;
  /** Absent while the VM is being created or after it was stopped for a reboot. */
  processes?: VmProcesses;
  metadata: Record<string, unknown>;
  /** A root CPI's VM (absent for an unprivileged CPI's). */
  sandbox?: VmSandboxRecord;
}

export interface VmSandboxRecord {
  /** Host uid/gid of the VM's root; null: no user namespace (the host's root). */
  uid_base: number | null;
  /** The VM's own network; null: the host's (a 127.0.0.0/8 address). */
  network: VmAddress | null;
  limits: VmLimits;
  /** The lower layer of the VM's /etc. */
  etc_template: string;
}

export interface DiskRecord {
  cid: string;
  size_mb: number;
  cloud_properties: Record<string, unknown>;
  metadata: Record<string, unknown>;
  attached_to: string | null;
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  const text = await readTextIfExists(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export async function writeJson(path: string, value: unknown, mode = 0o600, owner?: { uid: number; gid: number }): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode, owner);
}
