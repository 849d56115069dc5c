/**
 * What more than one part of the local provider needs and none of them owns: the failures the
 * CPI reports, which the CPI's handlers and the VM launcher both throw. A leaf: it imports no
 * other part of src/local.
 */
export { CpiFailure, cloudError, diskNotFound, stemcellNotFound, vmNotFound } from "./cpi-failure.js";
export type { CpiErrorType } from "./cpi-failure.js";
