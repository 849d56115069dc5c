/**
 * What a stemcell tarball is, from its stemcell.MF alone (the large image is read past, never
 * written anywhere). Remembered by path+size+mtime+inode, so an unchanged file is not read again.
 */
import { BootstrapError } from "../common/index.js";
import { readStatCache, statKey, writeStatCache } from "../director-release/stat-cache.js";
import { readInvalidTarball } from "../director-release/tarball-errors.js";
import { scanTarball } from "../director-release/tarball-scan.js";
import { parseStemcellManifest, type StemcellSummary } from "./stemcell-manifest.js";

const NAMESPACE = "stemcell-summaries-v1";

export async function inspectStemcell(tarball: string, opts: { cacheDir: string }): Promise<StemcellSummary> {
  const key = await statKey(tarball, "Stemcell tarball");
  const cached = await readStatCache<StemcellSummary>(opts.cacheDir, NAMESPACE, key);
  if (cached !== undefined) return cached;
  const scan = await scanTarball(tarball, ["stemcell.MF"], ["sha256"]).catch((e: unknown) => {
    throw readInvalidTarball("STEMCELL_INVALID", tarball, e);
  });
  const text = scan.files.get("stemcell.MF");
  if (text === undefined) {
    throw new BootstrapError("STEMCELL_INVALID", `Stemcell tarball '${tarball}' has no stemcell.MF`, {
      hint: "This is not a BOSH stemcell tarball; point the manifest's stemcell url at one.",
    });
  }
  const summary = parseStemcellManifest(text.toString("utf8"), `stemcell.MF in '${tarball}'`, `sha256:${scan.digests.sha256 ?? ""}`);
  await writeStatCache(opts.cacheDir, NAMESPACE, key, summary);
  return summary;
}
