/**
 * What a release tarball is (name, version, jobs, packages) from one streaming pass that
 * extracts nothing: release.MF is read, and every job and package archive is hashed on its own
 * and checked against release.MF there, so a damaged or altered archive is refused before a
 * deploy acts, and a package's SHA-256 is known without unpacking it. Remembered by
 * path+size+mtime+inode under `cacheDir`, so asking again about an unchanged file does not read
 * it at all.
 */
import { hashTarEntries, parseMultiDigest, summariseTarball, type DigestAlgorithm, type EntryDigests, type TarballKind } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";
import { checkArchiveDigest, isArchiveEntry, jobEntry, packageEntry } from "./release-entries.js";
import { parseReleaseManifest, type ReleaseManifest } from "./release-manifest.js";
import type { ReleaseSummary } from "./release-types.js";

/** Hashed in the pass; release.MF digests in other algorithms (sha512) cost a second pass. */
const PASS_ALGORITHMS: readonly DigestAlgorithm[] = ["sha1", "sha256"];

const RELEASE: TarballKind = {
  what: "Release tarball",
  manifestFile: "release.MF",
  // v2: packages carry the SHA-256 of their archive, and archives are checked here.
  cacheNamespace: "release-summaries-v2",
  code: "RELEASE_INVALID",
  hint: "This is not a BOSH release tarball; point the manifest at one made by `bosh create-release --tarball`.",
  hashEntries: { match: isArchiveEntry, algorithms: PASS_ALGORITHMS },
};

export async function inspectRelease(tarball: string, opts: { cacheDir: string }): Promise<ReleaseSummary> {
  return summariseTarball(tarball, opts.cacheDir, RELEASE, async (text, source, entries): Promise<ReleaseSummary> => {
    const manifest = parseReleaseManifest(text, source);
    const checked = await checkArchives(tarball, manifest, entries);
    return {
      name: manifest.name,
      version: manifest.version,
      compiled: manifest.compiled,
      jobs: manifest.jobs.map(({ name, fingerprint, sha1 }) => ({ name, fingerprint, sha1 })),
      packages: manifest.packages.map((p) => ({
        name: p.name,
        fingerprint: p.fingerprint,
        sha1: p.sha1,
        archiveSha256: checked.get(packageEntry(p))?.sha256 ?? "",
        dependencies: p.dependencies,
        compiled: p.compiled,
        ...(p.stemcell === undefined ? {} : { stemcell: p.stemcell }),
      })),
    };
  });
}

/** Every archive release.MF lists, present and with its digest; returns the digests by entry. */
async function checkArchives(tarball: string, manifest: ReleaseManifest, hashed: ReadonlyMap<string, EntryDigests>): Promise<ReadonlyMap<string, EntryDigests>> {
  const label = `release '${manifest.name}/${manifest.version}'`;
  const listed = [
    ...manifest.jobs.map((j) => ({ entry: jobEntry(j.name), sha1: j.sha1, what: `Job '${j.name}' of ${label}` })),
    ...manifest.packages.map((p) => ({ entry: packageEntry(p), sha1: p.sha1, what: `Package '${p.name}' of ${label}` })),
  ];
  for (const a of listed) {
    if (!hashed.has(a.entry)) {
      throw new BootstrapError("RELEASE_INVALID", `${a.what} is listed in release.MF but '${a.entry}' is not in '${tarball}'`, {
        hint: "The release tarball is incomplete; build or download it again.",
      });
    }
  }
  const more = listed.filter((a) => (parseMultiDigest(a.sha1) ?? []).some((d) => !PASS_ALGORITHMS.includes(d.algorithm)));
  const extra = more.length === 0 ? new Map<string, EntryDigests>() : await hashTarEntries(tarball, new Set(more.map((a) => a.entry)), ["sha512"]);
  const digests = new Map([...hashed].map(([entry, d]) => [entry, { ...d, ...extra.get(entry) }]));
  for (const a of listed) checkArchiveDigest(a.sha1, digests.get(a.entry) ?? { size: 0 }, a.what);
  return digests;
}
