/**
 * src/state: the deployment state file (`<manifest>-state.json`), bosh-cli's format plus our
 * optional bookkeeping keys. Locked while a run may write, validated on load, written
 * atomically with one backup per run.
 */
export { defaultStatePath, cpiJournalDirOf } from "./state-path.js";
export { openState } from "./open-state.js";
export type { StateHandle, OpenStateOptions } from "./open-state.js";
export { readState } from "./read-state.js";
export { inspectState, unlockState } from "./inspect-state.js";
export type { StateInspection } from "./inspect-state.js";
export type { DeploymentState, DiskRecord, StemcellRecord, ReleaseRecord, VmPackageRecord } from "./types.js";
export { emptyDeploymentState } from "./types.js";
