/**
 * Reads what deploying a release to a VM needs from its tarball, and extracts none of its
 * packages: one pass writes each job archive to `<workDir>/jobs/<name>.tgz` (then checked and
 * unpacked as extractRelease does) and stops after the last one, so a tarball whose jobs come
 * before its packages (bosh's order, and ours) is barely read. The package archives stay in the
 * tarball; package-archives.ts streams them to the VM from there. `summary` is inspectRelease's,
 * made from the same tarball (it knows the archives' digests without extracting them).
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { forEachTarFile } from "../artefacts/index.js";
import { unpackJob } from "./extract-release.js";
import { jobEntry, packageEntry } from "./release-entries.js";
import type { ReleaseInTarball, ReleaseSummary } from "./release-types.js";

export async function readReleaseJobs(tarball: string, summary: ReleaseSummary, workDir: string): Promise<ReleaseInTarball> {
  const byEntry = new Map(summary.jobs.map((j) => [jobEntry(j.name), j]));
  const written = new Set<string>();
  await mkdir(join(workDir, "jobs"), { recursive: true });
  await forEachTarFile(
    tarball,
    // A second entry of the same path is not read: the first is what gets checked and used.
    (name) => byEntry.has(name) && !written.has(name),
    async (file) => {
      written.add(file.name);
      await pipeline(file.body, createWriteStream(join(workDir, file.name), { mode: 0o600 }));
    },
    { invalidCode: "RELEASE_INVALID", complete: () => written.size === byEntry.size },
  );
  const label = `release '${summary.name}/${summary.version}'`;
  // A job missing from the tarball fails here, as in extractRelease (release.MF lists it).
  const jobs = await Promise.all(summary.jobs.map((j) => unpackJob(workDir, j, label)));
  const packages = summary.packages.map((p) => ({ ...p, tarball, entry: packageEntry(p) }));
  return { name: summary.name, version: summary.version, tarball, jobs, packages };
}
