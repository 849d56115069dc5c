/**
 * Makes one CPI package present in BOSH_PACKAGES_DIR: a compiled release's package unpacked as
 * it is, a source package compiled only when the installation's compiled-package cache has no
 * (verified) entry for its name, fingerprint and source digest and those of its dependencies.
 * A marker per package (outside BOSH_PACKAGES_DIR, removed before the directory is touched and
 * written after) records which cache entry the directory holds, so an unchanged package is
 * not even re-extracted.
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { extractTarballSafely, hashFile } from "../../artefacts/index.js";
import type { Logger } from "../../common/index.js";
import { compiledPackageKeyId, type CompiledPackageCache, type CompiledPackageKey } from "../../director-release/index.js";
import { compilePackage } from "./compile-package.js";
import type { CpiPackage } from "./resolve-cpi-packages.js";
import type { PackageOrigin } from "./types.js";

export interface InstallDirs {
  packagesDir: string;
  markersDir: string;
  scratchDir: string;
}

/**
 * Packages compiled here are for this machine (its platform and CPU), not for a stemcell; a
 * package of a compiled release keeps the stemcell it was compiled for. Either way the key holds
 * the archive's bytes (source or compiled), so the two never share a marker.
 */
function keyFor(p: CpiPackage): CompiledPackageKey {
  const [os, version] = p.package.compiled ? (p.package.stemcell ?? "").split("/") : [`host-${platform()}`, arch()];
  return {
    stemcellOs: os ?? "",
    stemcellVersion: version ?? "",
    name: p.name,
    fingerprint: p.package.fingerprint,
    sourceSha256: p.package.archiveSha256,
    dependencies: p.transitiveDependencies,
  };
}

export async function installPackage(
  p: CpiPackage,
  cache: CompiledPackageCache,
  dirs: InstallDirs,
  logger: Logger,
  signal?: AbortSignal,
): Promise<{ source: PackageOrigin }> {
  const key = keyFor(p);
  const id = compiledPackageKeyId(key);
  const marker = join(dirs.markersDir, p.name);
  const installDir = join(dirs.packagesDir, p.name);
  const installedId = await readFile(marker, "utf8").catch(() => undefined);
  // Someone may have removed the directory by hand since the marker was written.
  const upToDate = installedId === id && (await stat(installDir).then((s) => s.isDirectory(), () => false));

  if (p.package.compiled) {
    if (!upToDate) await replaceFrom(p.package.archivePath, installDir, marker, id);
    return { source: "compiled" };
  }
  const hit = await cache.get(key);
  if (hit !== undefined) {
    if (!upToDate) await replaceFrom(hit.path, installDir, marker, id);
    return { source: "cache" };
  }
  await rm(marker, { force: true });
  await compilePackage({ pkg: p.package, packagesDir: dirs.packagesDir, scratchDir: dirs.scratchDir, logger, signal });
  const blob = join(dirs.scratchDir, `${id}.tgz`);
  // tar is loaded only when a package is compiled (see tarball-scan.ts).
  const { c: createTar } = await import("tar");
  await createTar({ gzip: true, file: blob, cwd: installDir, portable: true }, ["."]);
  const { sha1 } = await hashFile(blob, ["sha1"]);
  await cache.put(key, blob, sha1 ?? "");
  await rm(blob, { force: true });
  await writeMarker(marker, id);
  return { source: "release" };
}

async function replaceFrom(archive: string, installDir: string, marker: string, id: string): Promise<void> {
  await rm(marker, { force: true });
  await rm(installDir, { recursive: true, force: true });
  await extractTarballSafely(archive, installDir, "RELEASE_INVALID");
  await writeMarker(marker, id);
}

async function writeMarker(marker: string, id: string): Promise<void> {
  await mkdir(join(marker, ".."), { recursive: true });
  await writeFile(marker, id);
}
