/**
 * Extracts an untrusted (gzipped) tarball into a directory so that nothing of it can reach
 * outside: releases, stemcells and the archives inside them all come through here.
 *
 * 1. Each header is judged before its data is written (entry-policy.ts): only files,
 *    directories, symbolic links and hard links to a file of the same archive; no absolute or
 *    `..` paths; no entry larger than the size limit (extract-limits.ts).
 * 2. The bytes are counted as they are decompressed (metered-tar-stream.ts): an archive that
 *    outgrows the size or ratio limit stops being read at once.
 * 3. Symbolic links are created last (create-links.ts), so nothing is written through one.
 * 4. The finished tree is checked with every link really resolved (check-extracted-tree.ts).
 *
 * The first refusal stops the extraction, and the target directory (which belongs to the
 * extraction) is removed on every failure: UNSAFE_ARCHIVE or ARCHIVE_TOO_LARGE name the
 * tarball and the entry; an unreadable archive is `invalidCode`. Owners are not preserved
 * (as `tar --no-same-owner`).
 */
import { lstat, mkdir, rm } from "node:fs/promises";
import type { ReadEntry } from "tar";
import { BootstrapError, messageOf } from "../common/index.js";
import { checkExtractedTree } from "./check-extracted-tree.js";
import { createLinks } from "./create-links.js";
import { EntryPolicy, normalizeEntryPath } from "./entry-policy.js";
import { declaredSizeProblem, extractLimitsFrom, type ExtractLimits } from "./extract-limits.js";
import { feedTarball, PLAIN_TAR, VolumeExceeded } from "./metered-tar-stream.js";
import { archiveTooLarge, unsafeArchive } from "./tarball-errors.js";

export interface ExtractOptions {
  /** defaults to the environment's (BOOTSTRAP_EXTRACT_MAX_BYTES, BOOTSTRAP_EXTRACT_MAX_RATIO) */
  limits?: ExtractLimits;
  /** Stops reading at once (Ctrl-C); the extraction then fails with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** `invalidCode` is the error code for an archive that is not a readable tarball at all. */
export async function extractTarballSafely(
  tarball: string,
  targetDir: string,
  invalidCode: "RELEASE_INVALID" | "STEMCELL_INVALID",
  options: ExtractOptions = {},
): Promise<void> {
  const limits = options.limits ?? extractLimitsFrom(process.env);
  // A link planted by an outer archive (jobs/<name> -> elsewhere) must not redirect this one.
  if ((await lstat(targetDir).catch(() => undefined))?.isSymbolicLink() === true) {
    throw unsafeArchive(tarball, [`${targetDir}: the directory to extract into is a symbolic link`]);
  }
  await mkdir(targetDir, { recursive: true });
  const failure = await unpackInto(tarball, targetDir, invalidCode, limits, options.signal).catch((e: unknown) => e);
  if (failure !== undefined) {
    await rm(targetDir, { recursive: true, force: true });
    throw failure;
  }
}

/** Undefined when the tree is extracted and checked; else the error to throw. */
async function unpackInto(
  tarball: string,
  targetDir: string,
  invalidCode: "RELEASE_INVALID" | "STEMCELL_INVALID",
  limits: ExtractLimits,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const policy = new EntryPolicy();
  const refused: string[] = [];
  const links = new Map<string, string>();
  let tooLarge: { entry: string; problem: string } | undefined;
  let current: string | undefined;
  let declaredTotal = 0;
  const stopped = (): boolean => refused.length > 0 || tooLarge !== undefined || signal?.aborted === true;

  // Loaded on first use, as in tarball-scan.ts: a no-op deploy extracts nothing.
  const { Unpack } = await import("tar");
  const unpack = new Unpack({
    ...PLAIN_TAR,
    cwd: targetDir,
    preserveOwner: false,
    filter: (path: string, entry) => {
      const e = entry as ReadEntry;
      if (stopped()) return false;
      current = path;
      const verdict = policy.judge(path, e.type, e.linkpath);
      if (!verdict.ok) {
        refused.push(`${path}: ${verdict.reason}`);
        return false;
      }
      declaredTotal += e.size ?? 0;
      const problem = declaredSizeProblem(e.size ?? 0, declaredTotal, limits);
      if (problem !== undefined) {
        tooLarge = { entry: path, problem };
        return false;
      }
      const name = normalizeEntryPath(path);
      links.delete(name);
      if (e.type !== "SymbolicLink") return true;
      links.set(name, e.linkpath ?? "");
      return false;
    },
  });
  const tarErrors: unknown[] = [];
  unpack.on("error", (e: unknown) => tarErrors.push(e));
  // 'end' comes once the parser is done and every file it opened is written and closed.
  const finished = new Promise<void>((resolve) => {
    unpack.on("end", resolve);
    unpack.on("abort", resolve);
  });
  const feedError = await feedTarball(tarball, unpack, { limits, shouldStop: stopped }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await finished;

  if (signal?.aborted === true) return signal.reason;
  if (refused.length > 0) return unsafeArchive(tarball, refused);
  if (tooLarge !== undefined) return archiveTooLarge(tarball, tooLarge.entry, tooLarge.problem, limits);
  if (feedError instanceof VolumeExceeded) return archiveTooLarge(tarball, current, feedError.problem, limits);
  const broken = feedError ?? tarErrors[0];
  if (broken !== undefined) {
    return new BootstrapError(invalidCode, `Cannot extract '${tarball}': ${messageOf(broken)}`, {
      cause: broken,
      hint: "The archive is damaged or not a (gzipped) tar file; download or build it again.",
    });
  }
  const problems = [...(await createLinks(targetDir, links)), ...(await checkExtractedTree(targetDir))];
  return problems.length > 0 ? unsafeArchive(tarball, problems) : undefined;
}
