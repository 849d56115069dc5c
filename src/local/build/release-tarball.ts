/**
 * Assembles a BOSH release tarball from a release source plus generated package files:
 * release.MF (name, version, commit_hash, uncommitted_changes, jobs and packages with
 * version = fingerprint, sha1 as a "sha256:<hex>" multi-digest, which bosh-cli accepts, and
 * dependencies/packages), jobs/<job>.tgz (job.MF, monit, templates/) and
 * packages/<pkg>.tgz (packaging + files). Fingerprints are content hashes, so the release
 * version changes exactly when some job or package content does. Pure: bytes in, bytes out.
 */
import { createHash } from "node:crypto";
import yaml from "js-yaml";
import type { ReleaseSource } from "./release-source.js";
import { tgz, type TarEntry } from "./tar.js";

export interface ReleaseBuildInput {
  name: string;
  /** The release's base version; the content fingerprint is appended as a dev suffix. */
  baseVersion: string;
  commitHash: string;
  uncommittedChanges: boolean;
  source: ReleaseSource;
  /** Extra files per package name (e.g. bundles made by the build). */
  generated?: Record<string, TarEntry[]>;
}

export interface BuiltRelease {
  name: string;
  version: string;
  tarball: Buffer;
}

export function buildRelease(input: ReleaseBuildInput): BuiltRelease {
  const packages = input.source.packages.map((pkg) => {
    const files = [...pkg.files, ...(input.generated?.[pkg.name] ?? [])];
    const fingerprint = fingerprintOf(files, pkg.dependencies);
    const archive = tgz(files);
    return { name: pkg.name, dependencies: pkg.dependencies, fingerprint, archive };
  });
  const jobs = input.source.jobs.map((job) => {
    const files: TarEntry[] = [{ path: "job.MF", content: Buffer.from(yaml.dump(job.manifest, { lineWidth: -1 })) }, ...job.files];
    return { name: job.name, packages: job.packages, fingerprint: fingerprintOf(files, []), archive: tgz(files) };
  });
  const contentId = sha1([...packages, ...jobs].map((r) => `${r.name}:${r.fingerprint}`).join("\n")).slice(0, 12);
  const version = `${input.baseVersion}+dev.${contentId}`;
  const manifest = {
    name: input.name,
    version,
    commit_hash: input.commitHash,
    uncommitted_changes: input.uncommittedChanges,
    jobs: jobs.map((j) => ({
      name: j.name,
      version: j.fingerprint,
      fingerprint: j.fingerprint,
      sha1: `sha256:${sha256(j.archive)}`,
      packages: j.packages,
    })),
    packages: packages.map((p) => ({
      name: p.name,
      version: p.fingerprint,
      fingerprint: p.fingerprint,
      sha1: `sha256:${sha256(p.archive)}`,
      dependencies: p.dependencies,
    })),
  };
  const entries: TarEntry[] = [
    { path: "release.MF", content: Buffer.from(yaml.dump(manifest, { lineWidth: -1 })) },
    ...jobs.map((j) => ({ path: `jobs/${j.name}.tgz`, content: j.archive })),
    ...packages.map((p) => ({ path: `packages/${p.name}.tgz`, content: p.archive })),
  ];
  return { name: input.name, version, tarball: tgz(entries) };
}

/** Like BOSH's: a digest over each file's path, mode and content digest, plus dependencies. */
function fingerprintOf(files: TarEntry[], dependencies: string[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => `${f.path}\u0000${(f.mode ?? 0o644).toString(8)}\u0000${sha256(f.content ?? Buffer.alloc(0))}`);
  return sha1([...lines, ...[...dependencies].sort().map((d) => `dep\u0000${d}`)].join("\n"));
}

export function sha1(data: string | Buffer): string {
  return createHash("sha1").update(data).digest("hex");
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
