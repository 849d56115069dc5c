/**
 * src/cpi-runner: talking to an installed CPI over the external CPI protocol (one `bin/cpi`
 * process per call), and adopting the calls a killed run left behind. Installing the CPI
 * release is ./install's part.
 */
export { CpiClient } from "./cpi-client.js";
export type { CreateVmArgs, Journaled } from "./cpi-client.js";
export { CpiError, isCpiNotFound, isCpiNotImplemented } from "./cpi-error.js";
export { pendingCallCount, recoverPendingCalls } from "./recover-pending-calls.js";
export type { RecoveredCall } from "./recover-pending-calls.js";
export type { CpiInfo } from "./protocol.js";
export type { CpiInstallation, CpiClientOptions, CpiCallEvent } from "./types.js";
export { installCpi, readHostOs } from "./install/index.js";
export type { HostOs, InstallCpiOptions, InstallEvent, PackageOrigin } from "./install/index.js";
