/**
 * Compiled package blobs kept across runs (e.g. ~/.bootstrap/compiled-packages), so a VM that
 * is replaced gets its packages uploaded instead of compiled again. An entry is keyed by the
 * stemcell's OS and version, the package's name and fingerprint, and the fingerprints of its
 * dependencies (pass all transitive ones, as bosh does: a changed dependency means a different
 * compiled package).
 *
 * Layout: `<dir>/<key id>.tgz` and `<dir>/<key id>.json` ({key, sha1, size}). The blob is moved
 * into place before its entry is written atomically, so a crash leaves at most an orphan blob,
 * never an entry without its blob. One entry per file: concurrent writers never lose each other's
 * entries the way a single index file could.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../common/index.js";

export interface CompiledPackageKey {
  stemcellOs: string;
  stemcellVersion: string;
  name: string;
  fingerprint: string;
  dependencies: readonly { name: string; fingerprint: string }[];
}

export interface CachedCompiledPackage {
  path: string;
  sha1: string;
}

export interface CompiledPackageCache {
  readonly dir: string;
  get(key: CompiledPackageKey): Promise<CachedCompiledPackage | undefined>;
  /** Copies `srcPath` into the cache; `sha1` is the blob's digest as the agent reported it. */
  put(key: CompiledPackageKey, srcPath: string, sha1: string): Promise<CachedCompiledPackage>;
}

/** A stable id for a key: the same package built against the same things gets the same id. */
export function compiledPackageKeyId(key: CompiledPackageKey): string {
  const deps = [...key.dependencies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((d) => `${d.name}:${d.fingerprint}`);
  const canonical = JSON.stringify([key.stemcellOs, key.stemcellVersion, key.name, key.fingerprint, deps]);
  return `${key.name}-${createHash("sha256").update(canonical).digest("hex").slice(0, 40)}`;
}

interface Entry {
  key: CompiledPackageKey;
  sha1: string;
  size: number;
}

export function openCompiledPackageCache(dir: string): CompiledPackageCache {
  return {
    dir,
    async get(key) {
      const id = compiledPackageKeyId(key);
      let entry: Entry;
      try {
        entry = JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as Entry;
      } catch {
        return undefined;
      }
      const blob = join(dir, `${id}.tgz`);
      const info = await stat(blob).catch(() => undefined);
      // A blob of the wrong size was damaged after it was stored: treat it as never cached.
      if (info === undefined || info.size !== entry.size) return undefined;
      return { path: blob, sha1: entry.sha1 };
    },
    async put(key, srcPath, sha1) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const id = compiledPackageKeyId(key);
      const blob = join(dir, `${id}.tgz`);
      const temp = join(dir, `.${id}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
      try {
        await copyFile(srcPath, temp);
        await rename(temp, blob);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      const entry: Entry = { key: { ...key, dependencies: [...key.dependencies] }, sha1, size: (await stat(blob)).size };
      await writeFileAtomic(join(dir, `${id}.json`), `${JSON.stringify(entry, null, 2)}\n`, 0o600);
      return { path: blob, sha1 };
    },
  };
}
