/**
 * Pure: (manifest facts, recorded state, artefact versions, flags, orphans) → the deploy plan,
 * every step the run takes. The rules for "nothing changed" are bosh-cli's (manifest SHA,
 * stemcell name/version, release set), so a state written by either tool is judged the same
 * way; every step says why it is there.
 */
import type { DeployPlan, DeployStep } from "./plan-types.js";
import { isRecord } from "../common/index.js";

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
}

export interface PlanInput {
  manifestSha: string;
  diskPool: { diskSize: number; cloudProperties: Record<string, unknown> } | undefined;
  stemcell: { name: string; version: string };
  releases: readonly { name: string; version: string }[];
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
  if (stoppedAt !== undefined) notes.push(`The director is stopped ('bootstrap stop' at ${stoppedAt}): this deploy replaces its VM and starts the jobs.`);

  const state = input.state;
  const reason = changes.join("; ");

  const stemcellRecord = state?.stemcells.find((s) => s.name === input.stemcell.name && s.version === input.stemcell.version);
  if (stemcellRecord === undefined) {
    steps.push({ kind: "upload-stemcell", ...input.stemcell, reason: "no stemcell with this name and version is uploaded" });
  } else {
    steps.push({ kind: "reuse-stemcell", ...input.stemcell, cid: stemcellRecord.cid, reason: "a stemcell with this name and version is recorded" });
  }

  if (state !== undefined && state.current_vm_cid !== "") {
    steps.push({ kind: "delete-vm", cid: state.current_vm_cid, reason: `a VM is never updated in place (${reason})` });
  }
  steps.push({ kind: "create-vm", reason });

  const currentDisk = state?.disks.find((d) => d.id === state.current_disk_id && state.current_disk_id !== "");
  const pool = input.diskPool !== undefined && input.diskPool.diskSize > 0 ? input.diskPool : undefined;
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

/** JSON with sorted keys, so {a,b} and {b,a} compare equal as bosh's reflect.DeepEqual would. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (isRecord(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}
