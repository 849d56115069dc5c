/**
 * The local CPI (a program: main.ts, bundled into the CPI release as cpi.js, speaking the CPI
 * JSON protocol on stdin and stdout). It drives the VM launcher and the SSH server; no other
 * part imports it. What a host needs to answer one request in-process, as main.ts does:
 */
export { decodeConfig } from "./config.js";
export type { CpiConfig } from "./config.js";
export { dispatch } from "./dispatch.js";
export { InventoryPaths } from "./inventory-paths.js";
export { decodeRequest, failureResponse, successResponse } from "./protocol.js";
export type { CpiRequest, CpiResponse } from "./protocol.js";
export type { CpiContext } from "./vms.js";
