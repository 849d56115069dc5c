/**
 * Extracts a stemcell tarball (safely) into `workDir` and returns the path of its `image`,
 * the file a CPI's create_stemcell receives.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { extractTarballSafely } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";

export async function extractStemcellImage(tarball: string, workDir: string): Promise<string> {
  await extractTarballSafely(tarball, workDir, "STEMCELL_INVALID");
  const image = join(workDir, "image");
  const info = await stat(image).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new BootstrapError("STEMCELL_INVALID", `Stemcell tarball '${tarball}' has no image file`, {
      hint: "A stemcell tarball holds stemcell.MF and image; download or build it again.",
    });
  }
  return image;
}
