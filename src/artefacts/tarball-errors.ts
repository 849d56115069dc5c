import { BootstrapError, messageOf } from "../common/index.js";

/** A tarball that cannot even be read as gzip+tar: damaged download or wrong file. */
export function readInvalidTarball(code: "RELEASE_INVALID" | "STEMCELL_INVALID", tarball: string, cause: unknown): BootstrapError {
  if (cause instanceof BootstrapError) return cause;
  return new BootstrapError(code, `Cannot read '${tarball}' as a tarball: ${messageOf(cause)}`, {
    cause,
    hint: "The file is damaged or not a (gzipped) tar archive; download or build it again.",
  });
}
