/**
 * What a stemcell tarball is, from its stemcell.MF alone (the large image is read past, never
 * written anywhere). Remembered by path+size+mtime+inode, so an unchanged file is not read again.
 */
import { summariseTarball, type TarballKind } from "../artefacts/index.js";
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
