/**
 * Pure: a state inspection → what `bootstrap state show` tells (the same object is its --json).
 * Who deployed last: bootstrap records the time and its version with every successful deploy;
 * bosh-cli rewrites the file from its own struct, dropping every key of ours, so a deployed file
 * without our bookkeeping was written last by bosh-cli (or bosh-init), which records no time.
 */
import type { StateInspection } from "../state/index.js";

export interface StateSummary {
  statePath: string;
  exists: boolean;
  /** Which tool wrote the file last. */
  writtenBy?: "bootstrap" | "bosh-cli";
  serial?: number;
  updatedAt?: string;
  /** A successful deploy is recorded (current_manifest_sha is set). */
  deployed: boolean;
  lastDeploy?: { by: string; at?: string };
  vm?: { cid: string; agentId?: string; sshHostKey?: string; jobsStoppedAt?: string };
  disk?: { cid: string; sizeMb: number };
  unusedDisks: { cid: string; sizeMb: number }[];
  stemcell?: { name: string; version: string; cid: string };
  unusedStemcells: { name: string; version: string; cid: string }[];
  releases: { name: string; version: string }[];
  jumpboxHostKeys: Record<string, string>;
  lock?: { id?: string; pid: number; host: string; command: string; startedAt: string; stale: boolean } | "unreadable";
  pendingCpiCalls: number;
  /** What loading the file warns about, and a refusal a deploy would meet (dangling references). */
  warnings: string[];
}

export function summariseState(inspection: StateInspection, pendingCpiCalls: number): StateSummary {
  const { state, meta, lock } = inspection;
  const summary: StateSummary = {
    statePath: inspection.path,
    exists: state !== undefined,
    deployed: state !== undefined && state.current_manifest_sha !== "",
    unusedDisks: [],
    unusedStemcells: [],
    releases: [],
    jumpboxHostKeys: {},
    pendingCpiCalls,
    warnings: [...inspection.warnings, ...(inspection.danglingError === undefined ? [] : [inspection.danglingError.message])],
  };
  if (lock === "unreadable") summary.lock = lock;
  else if (lock !== undefined) {
    const { owner } = lock;
    summary.lock = { ...(owner.id === undefined ? {} : { id: owner.id }), pid: owner.pid, host: owner.host, command: owner.command, startedAt: owner.started_at, stale: lock.stale };
  }
  if (state === undefined) return summary;

  summary.writtenBy = meta === undefined ? "bosh-cli" : "bootstrap";
  if (meta !== undefined) {
    summary.serial = meta.serial;
    summary.updatedAt = meta.updatedAt;
  }
  if (state.last_deployed_at !== undefined) summary.lastDeploy = { by: state.last_deployed_by ?? "bootstrap", at: state.last_deployed_at };
  else if (summary.deployed) summary.lastDeploy = { by: meta === undefined ? "bosh-cli" : "not recorded" };

  if (state.current_vm_cid !== "") {
    summary.vm = {
      cid: state.current_vm_cid,
      ...(state.current_agent_id === undefined ? {} : { agentId: state.current_agent_id }),
      ...(state.current_vm_ssh_host_key === undefined ? {} : { sshHostKey: state.current_vm_ssh_host_key }),
      ...(state.jobs_stopped_at === undefined ? {} : { jobsStoppedAt: state.jobs_stopped_at }),
    };
  }
  for (const disk of state.disks) {
    const entry = { cid: disk.cid, sizeMb: disk.size };
    if (disk.id === state.current_disk_id) summary.disk = entry;
    else summary.unusedDisks.push(entry);
  }
  for (const stemcell of state.stemcells) {
    const entry = { name: stemcell.name, version: stemcell.version, cid: stemcell.cid };
    if (stemcell.id === state.current_stemcell_id) summary.stemcell = entry;
    else summary.unusedStemcells.push(entry);
  }
  summary.releases = state.releases.map((r) => ({ name: r.name, version: r.version }));
  summary.jumpboxHostKeys = { ...state.jumpbox_ssh_host_keys };
  return summary;
}
