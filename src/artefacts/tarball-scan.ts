/**
 * Reads a (gzipped) tarball once from start to end, hashing its bytes and keeping the content
 * of a few small named entries (release.MF, stemcell.MF), and hashing chosen entries each on
 * its own (a release's job and package archives). One pass serves the digests and the manifest,
 * so a cache miss costs one read of the file, not two. Nothing is written, but
 * the same volume limits as extraction apply (a bomb costs CPU time here), and a wanted entry
 * is only held in memory up to MAX_WANTED_BYTES.
 */
import type { ReadEntry } from "tar";
import { BootstrapError, formatBytes } from "../common/index.js";
import { MultiHasher, type DigestAlgorithm, type DigestValues } from "./digest.js";
import { normalizeEntryPath } from "./entry-policy.js";
import { extractLimitsFrom, type ExtractLimits } from "./extract-limits.js";
import { feedTarball, PLAIN_TAR, VolumeExceeded } from "./metered-tar-stream.js";
import { archiveTooLarge } from "./tarball-errors.js";

export interface TarballScan {
  digests: DigestValues;
  files: Map<string, Buffer>;
  /** Per hashed entry (EntryHashing), by normalised path. */
  entries: Map<string, EntryDigests>;
}

export type EntryDigests = DigestValues & { size: number };

/** Which regular files to hash on their own, and how. */
export interface EntryHashing {
  match(name: string): boolean;
  algorithms: readonly DigestAlgorithm[];
}

/** The largest real release.MF (hundreds of packages) is well under 1 MiB. */
export const MAX_WANTED_BYTES = 16 * 1024 ** 2;

export async function scanTarball(
  path: string,
  wanted: readonly string[],
  algorithms: readonly DigestAlgorithm[],
  limits: ExtractLimits = extractLimitsFrom(process.env),
  hashing?: EntryHashing,
): Promise<TarballScan> {
  const wantedSet = new Set(wanted);
  const hasher = new MultiHasher(algorithms);
  const files = new Map<string, Buffer>();
  const entries = new Map<string, EntryDigests>();
  let oversized: { name: string; size: number } | undefined;
  let current: string | undefined;
  // tar loads on first use (and lands in a chunk of its own in the bundle): a no-op deploy finds
  // every summary in the inspect cache and reads no tarball.
  const { Parser } = await import("tar");
  const parser = new Parser({
    ...PLAIN_TAR,
    onReadEntry: (entry: ReadEntry) => {
      const name = normalizeEntryPath(entry.path);
      current = entry.path;
      if (entry.type === "File" && hashing?.match(name) === true) {
        const own = new MultiHasher(hashing.algorithms);
        entry.on("data", (c: Buffer) => own.update(c));
        entry.on("end", () => entries.set(name, { ...own.digest(), size: entry.size ?? 0 }));
        return;
      }
      if (entry.type !== "File" || !wantedSet.has(name) || oversized !== undefined) {
        entry.resume();
        return;
      }
      if (entry.size > MAX_WANTED_BYTES) {
        oversized = { name, size: entry.size };
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => files.set(name, Buffer.concat(chunks)));
    },
  });
  const parseErrors: unknown[] = [];
  parser.on("error", (e: unknown) => parseErrors.push(e));
  const finished = new Promise<void>((resolve) => parser.on("end", resolve).on("abort", resolve));
  try {
    await feedTarball(path, parser, { limits, onFileChunk: (c) => hasher.update(c), shouldStop: () => oversized !== undefined });
  } catch (error) {
    if (error instanceof VolumeExceeded) throw archiveTooLarge(path, current, error.problem, limits);
    throw error;
  }
  await finished;
  if (oversized !== undefined) {
    throw new BootstrapError("ARCHIVE_TOO_LARGE", `'${oversized.name}' in '${path}' is ${formatBytes(oversized.size)}, more than the ${formatBytes(MAX_WANTED_BYTES)} a manifest may be`, {
      hint: "No real release or stemcell has a manifest this large; download or build the tarball again from a source you trust.",
    });
  }
  if (parseErrors.length > 0) throw parseErrors[0];
  return { digests: hasher.digest(), files, entries };
}

/** A second look at a few entries of a tarball already scanned: their digests in other algorithms. */
export async function hashTarEntries(path: string, names: ReadonlySet<string>, algorithms: readonly DigestAlgorithm[]): Promise<Map<string, EntryDigests>> {
  const scan = await scanTarball(path, [], [], undefined, { match: (name) => names.has(name), algorithms });
  return scan.entries;
}
