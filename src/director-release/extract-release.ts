/**
 * Extracts a release tarball into `workDir` (safely), checks every job and package archive
 * against the digests in release.MF (keeping each package archive's SHA-256 as hashed, for
 * caches to key on), and extracts each job into `workDir/jobs/<name>/` so its job.MF, monit
 * and templates can be read. Package archives stay packed: whoever compiles or uploads them
 * takes the .tgz as it is. release.MF and job.MF are read without following links (see
 * readExtractedFile): real releases never ship them as links.
 */
import { join } from "node:path";
import { extractTarballSafely, readExtractedFile } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";
import { parseJobSpec, parseReleaseManifest } from "./release-manifest.js";
import type { ExtractedRelease, ReleaseJob, ReleasePackage } from "./release-types.js";
import { verifyFileDigest } from "./verify-file.js";

async function readInside(root: string, file: string, what: string): Promise<string> {
  try {
    return (await readExtractedFile(root, file, what)).toString("utf8");
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // UNSAFE_ARCHIVE, ARCHIVE_TOO_LARGE
    throw new BootstrapError("RELEASE_INVALID", `${what} is missing`, {
      cause: error,
      hint: "The release tarball is incomplete; build or download it again.",
    });
  }
}

export async function extractRelease(tarball: string, workDir: string): Promise<ExtractedRelease> {
  await extractTarballSafely(tarball, workDir, "RELEASE_INVALID");
  const manifest = parseReleaseManifest(await readInside(workDir, "release.MF", `release.MF in '${tarball}'`), `release.MF in '${tarball}'`);
  const label = `release '${manifest.name}/${manifest.version}'`;

  const packages = await Promise.all(
    manifest.packages.map(async (p): Promise<ReleasePackage> => {
      const archivePath = join(workDir, p.compiled ? "compiled_packages" : "packages", `${p.name}.tgz`);
      const what = `Package '${p.name}' of ${label}`;
      const digests = await verifyFileDigest(archivePath, p.sha1, what).catch(missingAs(archivePath, what));
      const archiveSha256 = digests.sha256 ?? "";
      const out: ReleasePackage = { name: p.name, fingerprint: p.fingerprint, sha1: p.sha1, archiveSha256, dependencies: p.dependencies, archivePath, compiled: p.compiled };
      if (p.stemcell !== undefined) out.stemcell = p.stemcell;
      return out;
    }),
  );

  const jobs = await Promise.all(manifest.jobs.map((j) => unpackJob(workDir, j, label)));

  return { name: manifest.name, version: manifest.version, dir: workDir, compiled: manifest.compiled, jobs, packages };
}

/**
 * A job whose archive is at `<workDir>/jobs/<name>.tgz`: checked against release.MF's digest and
 * unpacked into `<workDir>/jobs/<name>/` for its job.MF, monit and templates.
 */
export async function unpackJob(workDir: string, j: { name: string; fingerprint: string; sha1: string }, label: string): Promise<ReleaseJob> {
  const archivePath = join(workDir, "jobs", `${j.name}.tgz`);
  await verifyFileDigest(archivePath, j.sha1, `Job '${j.name}' of ${label}`).catch(missingAs(archivePath, `Job '${j.name}' of ${label}`));
  const dir = join(workDir, "jobs", j.name);
  await extractTarballSafely(archivePath, dir, "RELEASE_INVALID");
  const where = `job.MF of job '${j.name}' in ${label}`;
  const spec = parseJobSpec(await readInside(dir, "job.MF", where), where);
  return { name: j.name, fingerprint: j.fingerprint, sha1: j.sha1, dir, spec };
}

/** A missing archive is a broken release, not a digest problem. */
function missingAs(path: string, what: string): (error: unknown) => never {
  return (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new BootstrapError("RELEASE_INVALID", `${what} is listed in release.MF but '${path}' is missing`, {
        hint: "The release tarball is incomplete; build or download it again.",
      });
    }
    throw error;
  };
}
