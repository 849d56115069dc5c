/**
 * Streams package archives from their release tarballs to `take` (which uploads them to the VM):
 * one pass per tarball, the tarballs side by side, each archive in its tarball's order, and a
 * pass ends after its last wanted archive. Nothing is extracted and no archive is held in memory:
 * an archive is read only as fast as `take` reads it. An archive comes as `{ size, open() }`:
 * the first open() is the pass's own stream, a later one (an upload retried) reads the archive
 * again in a pass of its own.
 */
import type { Readable } from "node:stream";
import { forEachTarFile, openTarFile } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";
import type { PackageInTarball } from "./release-types.js";

export interface PackageArchive {
  size: number;
  label: string;
  open(): Readable;
}

export async function streamPackageArchives(
  packages: readonly PackageInTarball[],
  take: (pkg: PackageInTarball, archive: PackageArchive) => Promise<void>,
): Promise<void> {
  const byTarball = new Map<string, PackageInTarball[]>();
  for (const p of packages) byTarball.set(p.tarball, [...(byTarball.get(p.tarball) ?? []), p]);
  const passes = await Promise.allSettled([...byTarball].map(([tarball, wanted]) => onePass(tarball, wanted, take)));
  const failed = passes.find((p): p is PromiseRejectedResult => p.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

async function onePass(tarball: string, wanted: readonly PackageInTarball[], take: (pkg: PackageInTarball, archive: PackageArchive) => Promise<void>): Promise<void> {
  const byEntry = new Map(wanted.map((p) => [p.entry, p]));
  const taken = new Set<string>();
  await forEachTarFile(
    tarball,
    // A second entry of the same path is not read: the first is what gets checked and used.
    (name) => byEntry.has(name) && !taken.has(name),
    async (file) => {
      taken.add(file.name);
      const pkg = byEntry.get(file.name) as PackageInTarball;
      let first: Readable | undefined = file.body;
      const open = (): Readable => {
        const body = first ?? openTarFile(tarball, file.name, { invalidCode: "RELEASE_INVALID" });
        first = undefined;
        return body;
      };
      await take(pkg, { size: file.size, label: `${file.name} in '${tarball}'`, open });
    },
    { invalidCode: "RELEASE_INVALID", complete: () => taken.size === byEntry.size },
  );
  const missing = wanted.find((p) => !taken.has(p.entry));
  if (missing !== undefined) {
    throw new BootstrapError("RELEASE_INVALID", `Package '${missing.name}' is listed in release.MF but '${missing.entry}' is not in '${tarball}'`, {
      hint: "The release tarball changed since it was validated, or is incomplete; build or download it again.",
    });
  }
}
