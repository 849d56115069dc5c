/**
 * Reads one manifest file (release.MF, stemcell.MF) out of a tarball in a single streaming pass
 * (that also hashes chosen entries each on its own, where the kind asks), turns it into a
 * summary, and remembers the summary by the file's path+size+mtime+inode, so an unchanged
 * tarball is never read again. The whole tarball is read (its volume limits checked, every byte
 * decompressed) but not hashed: nothing needed its digest, and its sha256 cost a pass of hashing
 * per artefact (0.8 s for 700 MiB on a loaded 2-core box).
 */
import { BootstrapError } from "../common/index.js";
import { readStatCache, statKey, writeStatCache } from "./stat-cache.js";
import { readInvalidTarball } from "./tarball-errors.js";
import { scanTarball, type EntryDigests, type EntryHashing } from "./tarball-scan.js";

export interface TarballKind {
  /** e.g. "Release tarball", used in messages. */
  what: string;
  manifestFile: string;
  cacheNamespace: string;
  code: "RELEASE_INVALID" | "STEMCELL_INVALID";
  /** What to do when the tarball has no manifest file. */
  hint: string;
  /** Entries to hash on their own in the same pass; summarise() gets their digests. */
  hashEntries?: EntryHashing;
}

export async function summariseTarball<T>(
  tarball: string,
  cacheDir: string,
  kind: TarballKind,
  summarise: (manifestText: string, source: string, entries: ReadonlyMap<string, EntryDigests>) => T | Promise<T>,
): Promise<T> {
  const key = await statKey(tarball, kind.what);
  const cached = await readStatCache<T>(cacheDir, kind.cacheNamespace, key);
  if (cached !== undefined) return cached;
  const scan = await scanTarball(tarball, [kind.manifestFile], [], undefined, kind.hashEntries).catch((e: unknown) => {
    throw readInvalidTarball(kind.code, tarball, e);
  });
  const text = scan.files.get(kind.manifestFile);
  if (text === undefined) {
    throw new BootstrapError(kind.code, `${kind.what} '${tarball}' has no ${kind.manifestFile}`, { hint: kind.hint });
  }
  const summary = await summarise(text.toString("utf8"), `${kind.manifestFile} in '${tarball}'`, scan.entries);
  await writeStatCache(cacheDir, kind.cacheNamespace, key, summary);
  return summary;
}
