/**
 * Pure: (manifest facts, recorded state, artefact versions, flags, orphans) → the deploy plan,
 * every step the run takes. The rules for "nothing changed" are bosh-cli's (manifest SHA,
 * stemcell name/version, release set), so a state written by either tool is judged the same
 * way. What changed then decides how: the VM is replaced when something it was made from
 * changed (or is not recorded, or a flag asks), and otherwise stays while the instance is
 * updated in place, as the director updates an instance. Every step says why it is there.
 */
import type { DeployPlan, DeployStep } from "./plan-types.js";
import { stableJson } from "../common/index.js";
import { vmInputChanges, type VmInputDigests } from "./vm-inputs.js";

export interface RecordedState {
  current_vm_cid: string;
  current_stemcell_id: string;
  current_disk_id: string;
  current_manifest_sha: string;
  disks: readonly { id: string; cid: string; size: number; cloud_properties: Record<string, unknown> }[];
  stemcells: readonly { id: string; name: string; version: string; cid: string }[];
  releases: readonly { id: string; name: string; version: string }[];
  /** Set by `bootstrap stop` while the current VM's jobs are stopped. */
  jobs_stopped_at?: string | undefined;
  /** What the current VM was made from (see vm-inputs.ts); absent when bosh-cli or an older bootstrap wrote the state. */
  current_vm_inputs?: Readonly<Record<string, string>> | undefined;
}

export interface PlanInput {
  manifestSha: string;
  diskPool: { diskSize: number; cloudProperties: Record<string, unknown> } | undefined;
  stemcell: { name: string; version: string };
  releases: readonly { name: string; version: string }[];
  /** What a VM made from this manifest would be made from. */
  vmInputs: VmInputDigests;
  /** e.g. "bosh/0" */
  instanceName: string;
  state: RecordedState | undefined;
  recreate: boolean;
  recreatePersistentDisks: boolean;
  /** VMs an interrupted run created while another VM was current (adopted from the CPI journal). */
  orphanVms: readonly string[];
}

export function planDeployment(input: PlanInput): DeployPlan {
  const changes = detectChanges(input);
  const notes: string[] = [];
  // Orphans go first and without a shutdown: the agent at the mbus address is the current VM's.
  const steps: DeployStep[] = input.orphanVms.map((cid) => ({
    kind: "delete-orphan-vm",
    cid,
    reason: "an interrupted run created it while another VM was current",
  }));
  const stoppedAt = input.state?.current_vm_cid !== "" ? input.state?.jobs_stopped_at : undefined;
  if (changes.length === 0) {
    if (stoppedAt !== undefined) {
      notes.push(`The director is stopped ('bootstrap stop' at ${stoppedAt}): deploy starts its jobs again.`);
      steps.push({ kind: "start-jobs", reason: `'bootstrap stop' stopped them at ${stoppedAt}` });
    }
    return { changes, steps, notes };
  }
  const state = input.state;
  const replaceBecause = vmReplacementReasons(input);
  const keptVm = state !== undefined && replaceBecause.length === 0 ? state.current_vm_cid : undefined;
  if (stoppedAt !== undefined) {
    notes.push(`The director is stopped ('bootstrap stop' at ${stoppedAt}): this deploy ${keptVm === undefined ? "replaces its VM" : "updates it in place"} and starts the jobs.`);
  }
  const reason = changes.join("; ");
  const pool = input.diskPool !== undefined && input.diskPool.diskSize > 0 ? input.diskPool : undefined;

  if (keptVm !== undefined) {
    steps.push(
      {
        kind: "keep-vm",
        cid: keptVm,
        instance: input.instanceName,
        reason: `${reason}; the VM stays: the stemcell, resource pool, networks, cloud_provider, disk pool and tags are those it was made from`,
      },
      { kind: "render-jobs", reason: "the jobs are rendered again from the manifest" },
      { kind: "compile-packages", reason: "packages already on the VM are reused; only new ones are compiled, after the jobs stop" },
      { kind: "update-instance", reason },
    );
  } else {
    steps.push(...replaceVm(input, state, reason, replaceBecause, pool, notes));
  }

  if (pool !== undefined && state !== undefined) {
    for (const disk of state.disks) {
      if (disk.id === state.current_disk_id) continue;
      steps.push({ kind: "delete-unused-disk", cid: disk.cid, reason: "not the current persistent disk (left over from an earlier run)" });
    }
  }
  steps.push({ kind: "record-deployment", reason: "so that a run with no change does nothing" });
  for (const stemcell of state?.stemcells ?? []) {
    if (stemcell.name === input.stemcell.name && stemcell.version === input.stemcell.version) continue;
    steps.push({
      kind: "delete-unused-stemcell",
      cid: stemcell.cid,
      name: stemcell.name,
      version: stemcell.version,
      reason: `the deployment now uses '${input.stemcell.name}/${input.stemcell.version}'`,
    });
  }
  return { changes, steps, notes };
}

/** A new VM: the stemcell, the old VM deleted (after a clean stop), the disk moved over, then the jobs. */
function replaceVm(
  input: PlanInput,
  state: RecordedState | undefined,
  reason: string,
  replaceBecause: readonly string[],
  pool: PlanInput["diskPool"],
  notes: string[],
): DeployStep[] {
  const steps: DeployStep[] = [];
  const stemcellRecord = state?.stemcells.find((s) => s.name === input.stemcell.name && s.version === input.stemcell.version);
  if (stemcellRecord === undefined) {
    steps.push({ kind: "upload-stemcell", ...input.stemcell, reason: "no stemcell with this name and version is uploaded" });
  } else {
    steps.push({ kind: "reuse-stemcell", ...input.stemcell, cid: stemcellRecord.cid, reason: "a stemcell with this name and version is recorded" });
  }

  if (state !== undefined && state.current_vm_cid !== "") {
    steps.push({ kind: "delete-vm", cid: state.current_vm_cid, reason: `the VM is replaced: ${replaceBecause.join("; ")}` });
  }
  steps.push({ kind: "create-vm", reason });

  const currentDisk = state?.disks.find((d) => d.id === state.current_disk_id && state.current_disk_id !== "");
  if (pool !== undefined) {
    if (currentDisk === undefined) {
      steps.push({ kind: "create-disk", sizeMb: pool.diskSize, reason: "the manifest asks for a persistent disk and none is recorded" });
    } else {
      steps.push({ kind: "attach-disk", diskCid: currentDisk.cid, reason: "the persistent disk moves to the new VM" });
      const migration = diskMigrationReason(currentDisk, pool, input.recreatePersistentDisks);
      if (migration !== undefined) {
        steps.push({ kind: "migrate-disk", fromCid: currentDisk.cid, fromSizeMb: currentDisk.size, toSizeMb: pool.diskSize, reason: migration });
      }
    }
  } else if (currentDisk !== undefined) {
    notes.push(`The manifest has no persistent disk; disk '${currentDisk.cid}' is kept (not attached) so no data is lost. 'bootstrap delete' removes it.`);
  }

  steps.push(
    { kind: "render-jobs", reason: "the new VM gets the jobs rendered for its address" },
    { kind: "compile-packages", reason: "the jobs' packages must be compiled for the stemcell" },
    { kind: "update-instance", reason },
  );
  return steps;
}

/**
 * Why the current VM cannot stay; none means the instance is updated in place. Judged from
 * recorded facts only: a state that does not say what the VM was made from gets a new VM.
 */
function vmReplacementReasons(input: PlanInput): string[] {
  const reasons: string[] = [];
  if (input.recreate) reasons.push("--recreate was given");
  if (input.recreatePersistentDisks) reasons.push("--recreate-persistent-disks was given");
  const state = input.state;
  if (state === undefined || state.current_vm_cid === "") return [...reasons, "no VM is recorded"];
  const stemcell = state.stemcells.find((s) => s.id === state.current_stemcell_id);
  if (stemcell === undefined) reasons.push("no current stemcell is recorded");
  else if (stemcell.name !== input.stemcell.name || stemcell.version !== input.stemcell.version) {
    reasons.push(`stemcell changed ${stemcell.name}/${stemcell.version} → ${input.stemcell.name}/${input.stemcell.version}`);
  }
  reasons.push(...diskReasons(input, state));
  if (state.current_vm_inputs === undefined) {
    reasons.push("the state file does not record what the VM was made from (bosh-cli or an older bootstrap wrote it, or the VM's first deploy stopped early)");
  } else {
    reasons.push(...vmInputChanges(state.current_vm_inputs, input.vmInputs));
  }
  return reasons;
}

/** Disk changes stay on the path that replaces the VM (the disk steps run on a new VM only). */
function diskReasons(input: PlanInput, state: RecordedState): string[] {
  const currentDisk = state.disks.find((d) => d.id === state.current_disk_id && state.current_disk_id !== "");
  const pool = input.diskPool !== undefined && input.diskPool.diskSize > 0 ? input.diskPool : undefined;
  if (pool === undefined) return currentDisk === undefined ? [] : ["the manifest has no persistent disk any more"];
  if (currentDisk === undefined) return ["the manifest asks for a persistent disk and none is recorded"];
  const migration = diskMigrationReason(currentDisk, pool, false);
  return migration === undefined ? [] : [migration];
}

function diskMigrationReason(
  current: { size: number; cloud_properties: Record<string, unknown> },
  pool: { diskSize: number; cloudProperties: Record<string, unknown> },
  forced: boolean,
): string | undefined {
  if (forced) return "--recreate-persistent-disks was given";
  if (current.size !== pool.diskSize) return `disk size changed ${current.size} MB → ${pool.diskSize} MB`;
  if (stableJson(current.cloud_properties) !== stableJson(pool.cloudProperties)) return "disk cloud_properties changed";
  return undefined;
}

function detectChanges(input: PlanInput): string[] {
  const state = input.state;
  const changes: string[] = [];
  if (input.recreate) changes.push("--recreate was given");
  if (input.recreatePersistentDisks) changes.push("--recreate-persistent-disks was given");
  if (state === undefined || state.current_manifest_sha === "") {
    changes.push("no successful deploy is recorded in the state file");
    return changes;
  }
  if (state.current_manifest_sha !== input.manifestSha) changes.push("the manifest changed (after ops files and variables)");
  if (state.current_vm_cid === "") changes.push("no VM is recorded");

  const current = state.stemcells.find((s) => s.id === state.current_stemcell_id);
  if (current === undefined) changes.push("no current stemcell is recorded");
  else if (current.name !== input.stemcell.name || current.version !== input.stemcell.version) {
    changes.push(`stemcell changed ${current.name}/${current.version} → ${input.stemcell.name}/${input.stemcell.version}`);
  }
  changes.push(...releaseChanges(state.releases, input.releases));
  return changes;
}

function releaseChanges(recorded: RecordedState["releases"], wanted: PlanInput["releases"]): string[] {
  const changes: string[] = [];
  if (recorded.length === 0) return ["no deployed releases are recorded"];
  for (const release of wanted) {
    const old = recorded.find((r) => r.name === release.name);
    if (old === undefined) changes.push(`release '${release.name}' added`);
    else if (old.version !== release.version) changes.push(`release '${release.name}' version changed ${old.version} → ${release.version}`);
  }
  for (const old of recorded) {
    if (!wanted.some((r) => r.name === old.name)) changes.push(`release '${old.name}' removed`);
  }
  return changes;
}
