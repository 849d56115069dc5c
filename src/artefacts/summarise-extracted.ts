/**
 * What summariseTarball learns, for a caller that needs the tarball extracted anyway (a deploy
 * that uploads a stemcell hands its image to the CPI): the tarball is extracted safely and its
 * manifest file read from the tree, one pass over the file where a scan and then an extraction
 * took two. The summary goes to summariseTarball's cache under the same key, so an unchanged
 * file is read by neither again; on a hit nothing is extracted and `extractedTo` is absent.
 */
import { BootstrapError } from "../common/index.js";
import { readExtractedFile } from "./read-extracted-file.js";
import { extractTarballSafely } from "./safe-extract.js";
import { readStatCache, statKey, writeStatCache } from "./stat-cache.js";
import type { TarballKind } from "./summarise-tarball.js";
import { MAX_WANTED_BYTES } from "./tarball-scan.js";

export interface ExtractedSummary<T> {
  summary: T;
  /** The directory the tarball was extracted into; absent when the summary came from the cache. */
  extractedTo?: string;
}

export async function summariseByExtracting<T>(
  tarball: string,
  cacheDir: string,
  kind: TarballKind,
  targetDir: () => Promise<string>,
  summarise: (manifestText: string, source: string) => T,
  signal?: AbortSignal,
): Promise<ExtractedSummary<T>> {
  const key = await statKey(tarball, kind.what);
  const cached = await readStatCache<T>(cacheDir, kind.cacheNamespace, key);
  if (cached !== undefined) return { summary: cached };
  const dir = await targetDir();
  await extractTarballSafely(tarball, dir, kind.code, { signal });
  const source = `${kind.manifestFile} in '${tarball}'`;
  const text = await readExtractedFile(dir, kind.manifestFile, source, MAX_WANTED_BYTES).catch((error: unknown) => {
    if (error instanceof BootstrapError) throw error; // UNSAFE_ARCHIVE, ARCHIVE_TOO_LARGE
    throw new BootstrapError(kind.code, `${kind.what} '${tarball}' has no ${kind.manifestFile}`, { hint: kind.hint, cause: error });
  });
  const summary = summarise(text.toString("utf8"), source);
  await writeStatCache(cacheDir, kind.cacheNamespace, key, summary);
  return { summary, extractedTo: dir };
}
