/**
 * The local provider's artefacts, built by the real builder into a temp dir, with the CPI's
 * package and the stemcell's image unpacked the way a deployer would.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildArtifacts, CPI_RELEASE_FILE, STEMCELL_FILE, type BuiltArtifact } from "../../../../src/local/build/artifacts.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../../../..");

export interface UnpackedArtifacts {
  dir: string;
  built: BuiltArtifact[];
  /** cpi.js from the CPI release's local_cpi package. */
  cpiScript: string;
  /** The stemcell's image (a tgz of the VM's initial /var/vcap). */
  stemcellImage: string;
}

export async function buildAndUnpack(): Promise<UnpackedArtifacts> {
  const dir = mkdtempSync(join(tmpdir(), "local-artifacts-"));
  const built = await buildArtifacts({ repoRoot: REPO_ROOT, outDir: dir, baseVersion: "0.0.1", commitHash: "test", uncommittedChanges: false });
  const untar = (tarball: string, into: string) => {
    mkdirSync(into, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", into]);
  };
  untar(join(dir, CPI_RELEASE_FILE), join(dir, "cpi-release"));
  untar(join(dir, "cpi-release", "packages", "local_cpi.tgz"), join(dir, "local_cpi"));
  untar(join(dir, STEMCELL_FILE), join(dir, "stemcell"));
  return { dir, built, cpiScript: join(dir, "local_cpi", "cpi.js"), stemcellImage: join(dir, "stemcell", "image") };
}
