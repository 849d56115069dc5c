/**
 * The failures the local CPI reports inside its JSON response, by the error types bosh-cli and
 * the director recognise. A leaf of src/local: the CPI's handlers and the VM launcher (which the
 * CPI drives) both throw them, so it lives in neither.
 */
/** The error types bosh-cli and the director recognise by name. */
export type CpiErrorType =
  | "Bosh::Clouds::VMNotFound"
  | "Bosh::Clouds::DiskNotFound"
  | "Bosh::Clouds::StemcellNotFound"
  | "Bosh::Clouds::NotImplemented"
  | "Bosh::Clouds::CloudError";

/** A failure the CPI reports inside its JSON response (the process itself still exits 0). */
export class CpiFailure extends Error {
  constructor(
    readonly type: CpiErrorType,
    message: string,
    readonly okToRetry = false,
  ) {
    super(message);
    this.name = "CpiFailure";
  }
}

export const vmNotFound = (cid: string): CpiFailure => new CpiFailure("Bosh::Clouds::VMNotFound", `VM '${cid}' not found`);
export const diskNotFound = (cid: string): CpiFailure =>
  new CpiFailure("Bosh::Clouds::DiskNotFound", `Disk '${cid}' not found`);
export const stemcellNotFound = (cid: string): CpiFailure =>
  new CpiFailure("Bosh::Clouds::StemcellNotFound", `Stemcell '${cid}' not found`);
export const cloudError = (message: string, okToRetry = false): CpiFailure =>
  new CpiFailure("Bosh::Clouds::CloudError", message, okToRetry);
