/**
 * What a stemcell tarball is, from its stemcell.MF alone (the large image is read past, never
 * written anywhere). Remembered by path+size+mtime+inode, so an unchanged file is not read again.
 * A deploy, which needs the image on disk when it uploads the stemcell, learns the same by
 * extracting the tarball instead (unpackStemcell): the image comes out of the pass that finds
 * stemcell.MF behind it, rather than out of a second pass after the plan.
 */
import { summariseByExtracting, summariseTarball, type TarballKind } from "../artefacts/index.js";
import { stemcellImageIn } from "./extract-stemcell-image.js";
import { parseStemcellManifest, type StemcellSummary } from "./stemcell-manifest.js";

const STEMCELL: TarballKind = {
  what: "Stemcell tarball",
  manifestFile: "stemcell.MF",
  // v2: no digest of the tarball (nothing used it).
  cacheNamespace: "stemcell-summaries-v2",
  code: "STEMCELL_INVALID",
  hint: "This is not a BOSH stemcell tarball; point the manifest's stemcell url at one.",
};

export async function inspectStemcell(tarball: string, opts: { cacheDir: string }): Promise<StemcellSummary> {
  return summariseTarball(tarball, opts.cacheDir, STEMCELL, parseStemcellManifest);
}

export interface UnpackedStemcell {
  summary: StemcellSummary;
  /** The image's path, checked; absent when the summary was cached and nothing was extracted. */
  image?: () => Promise<string>;
}

/** inspectStemcell's summary; on a cache miss the tarball is extracted into `dir()` on the way. */
export async function unpackStemcell(tarball: string, opts: { cacheDir: string; dir: () => Promise<string>; signal?: AbortSignal }): Promise<UnpackedStemcell> {
  const { summary, extractedTo } = await summariseByExtracting(tarball, opts.cacheDir, STEMCELL, opts.dir, parseStemcellManifest, opts.signal);
  return extractedTo === undefined ? { summary } : { summary, image: () => stemcellImageIn(extractedTo, tarball) };
}
