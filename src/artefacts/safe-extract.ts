/**
 * Extracts a (gzipped) tarball into a directory, refusing anything that could write outside it:
 * absolute paths, `..` segments, symlinks or hard links whose target leaves the directory, and
 * device or FIFO entries. node-tar alone would only warn and strip; we want the archive refused,
 * so offending entries are skipped while extracting and the whole directory is removed
 * afterwards with UNSAFE_ARCHIVE naming them. Owners are not preserved (as `tar --no-same-owner`).
 * The target directory belongs to the extraction: it is removed whenever extraction fails.
 */
import { mkdir, rm } from "node:fs/promises";
import { posix } from "node:path";
import { extract, type ReadEntry } from "tar";
import { BootstrapError, messageOf } from "../common/index.js";

const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** Why an entry would escape the target directory, or undefined when it is safe. */
function unsafeReason(path: string, type: string, linkpath: string | undefined): string | undefined {
  if (!ALLOWED_TYPES.has(type)) return `entry type ${type} is not allowed`;
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "absolute path";
  if (path.split(/[\\/]/).includes("..")) return "path contains '..'";
  if (type === "SymbolicLink") {
    const target = linkpath ?? "";
    if (target.startsWith("/")) return `symlink to absolute path '${target}'`;
    if (!isInside(posix.normalize(posix.join(posix.dirname(path), target)))) return `symlink '${target}' points outside the archive`;
  }
  if (type === "Link") {
    const target = linkpath ?? "";
    if (target.startsWith("/") || !isInside(posix.normalize(target))) return `hard link '${target}' points outside the archive`;
  }
  return undefined;
}

function isInside(normalizedRelative: string): boolean {
  return normalizedRelative !== ".." && !normalizedRelative.startsWith("../");
}

/** `invalidCode` is the error code for an archive that is not a readable tarball at all. */
export async function extractTarballSafely(
  tarball: string,
  targetDir: string,
  invalidCode: "RELEASE_INVALID" | "STEMCELL_INVALID",
): Promise<void> {
  await mkdir(targetDir, { recursive: true });
  const refused: string[] = [];
  try {
    await extract({
      file: tarball,
      cwd: targetDir,
      strict: true,
      preserveOwner: false,
      filter: (path: string, entry) => {
        const e = entry as ReadEntry;
        const reason = unsafeReason(path, e.type, e.linkpath);
        if (reason !== undefined) refused.push(`${path}: ${reason}`);
        return reason === undefined;
      },
    });
  } catch (error) {
    await rm(targetDir, { recursive: true, force: true });
    throw new BootstrapError(invalidCode, `Cannot extract '${tarball}': ${messageOf(error)}`, {
      cause: error,
      hint: "The archive is damaged or not a (gzipped) tar file; download or build it again.",
    });
  }
  if (refused.length > 0) {
    await rm(targetDir, { recursive: true, force: true });
    throw new BootstrapError("UNSAFE_ARCHIVE", `Refusing to extract '${tarball}': ${refused.length} entr${refused.length === 1 ? "y" : "ies"} would write outside the target directory`, {
      details: refused.slice(0, 20),
      hint: "Only use release and stemcell tarballs from sources you trust; this one may be malicious.",
    });
  }
}
