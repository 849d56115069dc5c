/**
 * What a release tarball is (name, version, jobs, packages, digest) from its release.MF alone,
 * without extracting anything. Remembered by path+size+mtime+inode under `cacheDir`, so asking
 * again about an unchanged file does not read it at all.
 */
import { BootstrapError } from "../common/index.js";
import { parseReleaseManifest } from "./release-manifest.js";
import type { ReleaseSummary } from "./release-types.js";
import { readStatCache, statKey, writeStatCache } from "./stat-cache.js";
import { scanTarball } from "./tarball-scan.js";
import { readInvalidTarball } from "./tarball-errors.js";

const NAMESPACE = "release-summaries-v1";

export async function inspectRelease(tarball: string, opts: { cacheDir: string }): Promise<ReleaseSummary> {
  const key = await statKey(tarball, "Release tarball");
  const cached = await readStatCache<ReleaseSummary>(opts.cacheDir, NAMESPACE, key);
  if (cached !== undefined) return cached;

  const scan = await scanTarball(tarball, ["release.MF"], ["sha256"]).catch((e: unknown) => {
    throw readInvalidTarball("RELEASE_INVALID", tarball, e);
  });
  const text = scan.files.get("release.MF");
  if (text === undefined) {
    throw new BootstrapError("RELEASE_INVALID", `Release tarball '${tarball}' has no release.MF`, {
      hint: "This is not a BOSH release tarball; point the manifest at one made by `bosh create-release --tarball`.",
    });
  }
  const manifest = parseReleaseManifest(text.toString("utf8"), `release.MF in '${tarball}'`);
  const summary: ReleaseSummary = {
    name: manifest.name,
    version: manifest.version,
    digest: `sha256:${scan.digests.sha256 ?? ""}`,
    compiled: manifest.compiled,
    jobs: manifest.jobs.map(({ name, fingerprint, sha1 }) => ({ name, fingerprint, sha1 })),
    packages: manifest.packages.map((p) => ({
      name: p.name,
      fingerprint: p.fingerprint,
      sha1: p.sha1,
      dependencies: p.dependencies,
      ...(p.stemcell === undefined ? {} : { stemcell: p.stemcell }),
    })),
  };
  await writeStatCache(opts.cacheDir, NAMESPACE, key, summary);
  return summary;
}
