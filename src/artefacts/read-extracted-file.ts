/**
 * Reads (or checks) one file of an extracted archive where a link is never expected: release.MF,
 * job.MF, monit, job templates, a package's `packaging`, a stemcell's `image`. Real artefacts
 * hold these as plain files, so a link there is refused rather than followed: the file is
 * opened with O_NOFOLLOW (and O_NONBLOCK, so a FIFO cannot hang the open), must be a regular
 * file, and its directory must resolve inside `root`. This is the second wall after the
 * extraction's own check; a failure is UNSAFE_ARCHIVE naming the file. A missing file (or a
 * directory where the file should be) is the caller's business: the ENOENT or EISDIR error is
 * passed on as it is, for the caller's own "incomplete artefact" message.
 */
import { constants } from "node:fs";
import { lstat, open, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BootstrapError, formatBytes } from "../common/index.js";
import { isInside } from "./check-extracted-tree.js";

/** Manifests and templates are kilobytes; a bigger one is not worth holding in memory. */
const DEFAULT_MAX_READ = 64 * 1024 ** 2;

export async function readExtractedFile(root: string, relativePath: string, what: string, maxBytes = DEFAULT_MAX_READ): Promise<Buffer> {
  const path = join(root, relativePath);
  await checkDirectoryInside(root, path, what);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw notAFile(what, path, "a symbolic link");
    throw error;
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw isDirectory(path);
    if (!info.isFile()) throw notAFile(what, path, "not a regular file");
    if (info.size > maxBytes) {
      throw new BootstrapError("ARCHIVE_TOO_LARGE", `${what} ('${path}') is ${formatBytes(info.size)}, more than the ${formatBytes(maxBytes)} it may be`, {
        hint: "No real release or stemcell has a file like this this large; use an artefact from a source you trust.",
      });
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** For files handed to another program (bash, a CPI) rather than read here. */
export async function checkExtractedFile(root: string, relativePath: string, what: string): Promise<void> {
  const path = join(root, relativePath);
  await checkDirectoryInside(root, path, what);
  const info = await lstat(path);
  if (info.isSymbolicLink()) throw notAFile(what, path, "a symbolic link");
  if (info.isDirectory()) throw isDirectory(path);
  if (!info.isFile()) throw notAFile(what, path, "not a regular file");
}

async function checkDirectoryInside(root: string, path: string, what: string): Promise<void> {
  const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dirname(path))]);
  if (!isInside(realRoot, realDir)) throw notAFile(what, path, `in a directory that resolves to '${realDir}', outside the archive`);
}

function isDirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EISDIR: '${path}' is a directory`), { code: "EISDIR", path });
}

function notAFile(what: string, path: string, problem: string): BootstrapError {
  return new BootstrapError("UNSAFE_ARCHIVE", `Refusing to read ${what}: '${path}' is ${problem}`, {
    hint: "Releases and stemcells hold their manifests, templates and scripts as plain files; this one may be malicious. Use artefacts only from sources you trust.",
  });
}
