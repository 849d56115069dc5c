/**
 * The VM launcher, driven by the local CPI (never the reverse): how a VM is isolated, starting
 * and stopping its process tree, finding it again after a CPI restart, and where the stemcell's
 * agent sits inside it.
 */
export { AGENT_PATH_IN_VM } from "./init-script.js";
export { detectIsolation } from "./isolation.js";
export type { Isolation } from "./isolation.js";
export { findVmDirAnywhere, findVmProcesses, isVmRunning, launchVm, logTail, stopVm, VM_MOUNT_POINT } from "./launch.js";
export type { LaunchOptions, VmProcesses } from "./launch.js";
export { waitFor } from "./process-info.js";
export { addressProblem } from "./addressing.js";
export type { VmAddress } from "./addressing.js";
export { releaseVmCgroups } from "./cgroups.js";
export type { VmLimits } from "./cgroups.js";
export { userNamespacesAllowed } from "./isolation.js";
export { disconnectVm } from "./network.js";
export { ensureEtcTemplate, etcTemplate, ownByVm, prepareVmEtc, VM_ROOT_UID } from "./sandbox-root.js";
export type { SandboxOptions } from "./launch.js";
