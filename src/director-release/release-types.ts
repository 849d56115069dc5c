/** The shapes other folders receive for a release tarball (see contracts.md). */
import type { JobSpec } from "./release-manifest.js";

export type { JobSpec };

export interface ReleaseSummary {
  name: string;
  version: string;
  compiled: boolean;
  jobs: { name: string; fingerprint: string; sha1: string }[];
  /** Each checked against its archive in the tarball, whose SHA-256 (hex) it carries. */
  packages: { name: string; fingerprint: string; sha1: string; archiveSha256: string; dependencies: string[]; compiled: boolean; stemcell?: string }[];
}

export interface ReleaseJob {
  name: string;
  fingerprint: string;
  sha1: string;
  /** The extracted job: job.MF, monit, templates/. */
  dir: string;
  spec: JobSpec;
}

/** What release.MF says of a package, and the SHA-256 of its archive. */
export interface PackageFacts {
  name: string;
  fingerprint: string;
  /** As release.MF states it (checked against the archive). */
  sha1: string;
  /** SHA-256 (hex) of the archive, hashed from its bytes. */
  archiveSha256: string;
  dependencies: string[];
  compiled: boolean;
  stemcell?: string;
}

export interface ReleasePackage extends PackageFacts {
  /** The package's .tgz inside the extracted release (source or compiled). */
  archivePath: string;
}

/** A package whose archive stays in the release tarball (see package-archives.ts). */
export interface PackageInTarball extends PackageFacts {
  tarball: string;
  /** The archive's path inside the tarball, e.g. `packages/ruby.tgz`. */
  entry: string;
}

/** A release read for a VM: its jobs extracted for rendering, its packages left in the tarball. */
export interface ReleaseInTarball {
  name: string;
  version: string;
  tarball: string;
  jobs: ReleaseJob[];
  packages: PackageInTarball[];
}

export interface ExtractedRelease {
  name: string;
  version: string;
  dir: string;
  compiled: boolean;
  jobs: ReleaseJob[];
  packages: ReleasePackage[];
}
