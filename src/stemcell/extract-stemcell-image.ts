/**
 * Extracts a stemcell tarball (safely) into `workDir` and returns the path of its `image`,
 * the file a CPI's create_stemcell receives. The image must be a plain file, not a link: a CPI
 * given a link would upload whatever it points at.
 */
import { join } from "node:path";
import { checkExtractedFile, extractTarballSafely } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";

export async function extractStemcellImage(tarball: string, workDir: string, signal?: AbortSignal): Promise<string> {
  await extractTarballSafely(tarball, workDir, "STEMCELL_INVALID", { signal });
  return stemcellImageIn(workDir, tarball);
}

/** The image of a stemcell tarball already extracted into `workDir`, checked as above. */
export async function stemcellImageIn(workDir: string, tarball: string): Promise<string> {
  try {
    await checkExtractedFile(workDir, "image", `the image of stemcell tarball '${tarball}'`);
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // UNSAFE_ARCHIVE
    throw new BootstrapError("STEMCELL_INVALID", `Stemcell tarball '${tarball}' has no image file`, {
      hint: "A stemcell tarball holds stemcell.MF and image; download or build it again.",
      cause: error,
    });
  }
  return join(workDir, "image");
}
