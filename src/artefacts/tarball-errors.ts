import { BootstrapError, formatBytes, messageOf } from "../common/index.js";
import { MAX_BYTES_ENV, MAX_RATIO_ENV, type ExtractLimits } from "./extract-limits.js";

/** A tarball that cannot even be read as gzip+tar: damaged download or wrong file. */
export function readInvalidTarball(code: "RELEASE_INVALID" | "STEMCELL_INVALID", tarball: string, cause: unknown): BootstrapError {
  if (cause instanceof BootstrapError) return cause;
  return new BootstrapError(code, `Cannot read '${tarball}' as a tarball: ${messageOf(cause)}`, {
    cause,
    hint: "The file is damaged or not a (gzipped) tar archive; download or build it again.",
  });
}

/** `refused`: one `entry: reason` line each, in archive order. */
export function unsafeArchive(tarball: string, refused: readonly string[]): BootstrapError {
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : "";
  return new BootstrapError("UNSAFE_ARCHIVE", `Refusing to extract '${tarball}': ${refused[0] ?? "unsafe entry"}${more}`, {
    details: refused.slice(0, 20),
    hint: "Nothing of it was kept. Only use release and stemcell tarballs from sources you trust; this one may be malicious.",
  });
}

/** A decompression bomb, or a real artefact bigger than the limits expect. */
export function archiveTooLarge(tarball: string, entry: string | undefined, problem: string, limits: ExtractLimits): BootstrapError {
  const where = entry === undefined ? "" : ` at entry '${entry}'`;
  return new BootstrapError("ARCHIVE_TOO_LARGE", `Refusing to extract '${tarball}'${where}: it ${problem}`, {
    hint:
      `Nothing of it was kept. If you trust this tarball and it really is that big, raise the limit the message names ` +
      `(${MAX_BYTES_ENV}, now ${formatBytes(limits.maxBytes)}, e.g. ${MAX_BYTES_ENV}=200G; ${MAX_RATIO_ENV}, now ${limits.maxRatio}, ` +
      `e.g. ${MAX_RATIO_ENV}=2000, or 0 for no ratio check) and run the command again; otherwise download or build it again from a source you trust.`,
  });
}
