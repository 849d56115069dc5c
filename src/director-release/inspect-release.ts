/**
 * What a release tarball is (name, version, jobs, packages, digest) from its release.MF alone,
 * without extracting anything. Remembered by path+size+mtime+inode under `cacheDir`, so asking
 * again about an unchanged file does not read it at all.
 */
import { summariseTarball, type TarballKind } from "../artefacts/index.js";
import { parseReleaseManifest } from "./release-manifest.js";
import type { ReleaseSummary } from "./release-types.js";

const RELEASE: TarballKind = {
  what: "Release tarball",
  manifestFile: "release.MF",
  cacheNamespace: "release-summaries-v1",
  code: "RELEASE_INVALID",
  hint: "This is not a BOSH release tarball; point the manifest at one made by `bosh create-release --tarball`.",
};

export async function inspectRelease(tarball: string, opts: { cacheDir: string }): Promise<ReleaseSummary> {
  return summariseTarball(tarball, opts.cacheDir, RELEASE, (text, source, digest): ReleaseSummary => {
    const manifest = parseReleaseManifest(text, source);
    return {
      name: manifest.name,
      version: manifest.version,
      digest,
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
  });
}
