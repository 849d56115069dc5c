/** The shapes other folders receive for a release tarball (see contracts.md). */
import type { JobSpec } from "./release-manifest.js";

export type { JobSpec };

export interface ReleaseSummary {
  name: string;
  version: string;
  /** `sha256:<hex>` of the tarball. */
  digest: string;
  compiled: boolean;
  jobs: { name: string; fingerprint: string; sha1: string }[];
  packages: { name: string; fingerprint: string; sha1: string; dependencies: string[]; stemcell?: string }[];
}

export interface ReleaseJob {
  name: string;
  fingerprint: string;
  sha1: string;
  /** The extracted job: job.MF, monit, templates/. */
  dir: string;
  spec: JobSpec;
}

export interface ReleasePackage {
  name: string;
  fingerprint: string;
  /** As release.MF states it (checked against the archive). */
  sha1: string;
  /** SHA-256 (hex) of the archive, hashed from its bytes when the release was extracted. */
  archiveSha256: string;
  dependencies: string[];
  /** The package's .tgz inside the extracted release (source or compiled). */
  archivePath: string;
  compiled: boolean;
  stemcell?: string;
}

export interface ExtractedRelease {
  name: string;
  version: string;
  dir: string;
  compiled: boolean;
  jobs: ReleaseJob[];
  packages: ReleasePackage[];
}
