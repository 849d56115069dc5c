/**
 * Compiled package blobs kept across runs (e.g. ~/.bootstrap/compiled-packages), so a VM that
 * is replaced gets its packages uploaded instead of compiled again. What a release.MF claims is
 * not enough to reuse a compiled blob: any release can claim another package's name and
 * fingerprint. So an entry is keyed by the stemcell's OS and version, the package's name and
 * fingerprint, the SHA-256 of its source archive as hashed from the archive's bytes, and the same
 * three facts for each of its dependencies (pass all transitive ones, as bosh does: a changed
 * dependency means a different compiled package).
 *
 * Layout: `<dir>/<key id>.tgz` and `<dir>/<key id>.json` ({key, sha1, sha256, size}). The digests
 * are of the bytes the cache itself stored (and checked against the caller's sha1 then); every
 * read hashes the blob again, and a blob that no longer matches is removed with a warning and
 * read as a miss, so it gets compiled again. The blob is moved into place before its entry is
 * written atomically, so a crash leaves at most an orphan blob, never an entry without its blob.
 * One entry per file: concurrent writers never lose each other's entries the way a single index
 * file could.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { findMismatch, formatDigest, hashFile, parseMultiDigest, type DigestAlgorithm, type DigestValues } from "../artefacts/index.js";
import { isRecord, messageOf, writeFileAtomic } from "../common/index.js";

export interface CompiledPackageSource {
  name: string;
  fingerprint: string;
  /** SHA-256 (hex) of the package's source archive, hashed from its bytes (ReleasePackage.archiveSha256). */
  sourceSha256: string;
}

export interface CompiledPackageKey extends CompiledPackageSource {
  stemcellOs: string;
  stemcellVersion: string;
  dependencies: readonly CompiledPackageSource[];
}

export interface CachedCompiledPackage {
  path: string;
  sha1: string;
}

export interface CompiledPackageCache {
  readonly dir: string;
  /** A verified entry, or undefined (also when the stored blob no longer matches its digest). */
  get(key: CompiledPackageKey): Promise<CachedCompiledPackage | undefined>;
  /** Copies `srcPath` into the cache; the copy must have `sha1` (plain SHA-1 hex or multi-digest). */
  put(key: CompiledPackageKey, srcPath: string, sha1: string): Promise<CachedCompiledPackage>;
  /**
   * Like put, but `write` puts the bytes at the path it is given (a download) and returns their
   * digests, hashed as they went by: the blob is neither copied nor read again.
   */
  store(key: CompiledPackageKey, sha1: string, write: BlobWriter): Promise<CachedCompiledPackage>;
}

/** Writes a blob to `path`; returns the digests of what it wrote, at least those `algorithms` name. */
export type BlobWriter = (path: string, algorithms: DigestAlgorithm[]) => Promise<DigestValues>;

function canonicalKey(key: CompiledPackageKey): string {
  const deps = [...key.dependencies]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => `${d.name}:${d.fingerprint}:${d.sourceSha256}`);
  return JSON.stringify([key.stemcellOs, key.stemcellVersion, key.name, key.fingerprint, key.sourceSha256, deps]);
}

/** A stable id for a key: the same package source built against the same things gets the same id. */
export function compiledPackageKeyId(key: CompiledPackageKey): string {
  return `${key.name}-${createHash("sha256").update(canonicalKey(key)).digest("hex").slice(0, 40)}`;
}

interface Entry {
  key: CompiledPackageKey;
  sha1: string;
  sha256: string;
  size: number;
}

function isEntry(value: unknown): value is Entry {
  if (!isRecord(value) || !isRecord(value["key"]) || !Array.isArray(value["key"]["dependencies"])) return false;
  return typeof value["sha1"] === "string" && typeof value["sha256"] === "string" && typeof value["size"] === "number";
}

/** `warn` hears about entries dropped because their blob no longer matches. */
export function openCompiledPackageCache(dir: string, warn: (message: string) => void = () => {}): CompiledPackageCache {
  const drop = async (id: string): Promise<void> => {
    await rm(join(dir, `${id}.json`), { force: true });
    await rm(join(dir, `${id}.tgz`), { force: true });
  };
  const store = async (key: CompiledPackageKey, sha1: string, write: BlobWriter): Promise<CachedCompiledPackage> => {
    const expected = parseMultiDigest(sha1);
    if (expected === undefined) throw new Error(`cannot keep compiled package '${key.name}': '${sha1}' is not a digest`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const id = compiledPackageKeyId(key);
    const blob = join(dir, `${id}.tgz`);
    const temp = join(dir, `.${id}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    let actual: DigestValues;
    try {
      const algorithms: DigestAlgorithm[] = ["sha1", "sha256", ...expected.map((d) => d.algorithm)];
      actual = await write(temp, algorithms);
      const missing = algorithms.find((a) => !actual[a]);
      if (missing !== undefined) throw new Error(`cannot keep compiled package '${key.name}': its ${missing} was not computed`);
      const wrong = findMismatch(expected, actual);
      if (wrong !== undefined) {
        throw new Error(`cannot keep compiled package '${key.name}': its blob does not have digest ${formatDigest(wrong)}`);
      }
      await rename(temp, blob);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const entry: Entry = {
      key: { ...key, dependencies: [...key.dependencies] },
      sha1: actual.sha1 ?? "",
      sha256: actual.sha256 ?? "",
      size: (await stat(blob)).size,
    };
    await writeFileAtomic(join(dir, `${id}.json`), `${JSON.stringify(entry, null, 2)}\n`, 0o600);
    return { path: blob, sha1: entry.sha1 };
  };
  return {
    dir,
    async get(key) {
      const id = compiledPackageKeyId(key);
      const text = await readFile(join(dir, `${id}.json`), "utf8").catch(() => undefined);
      if (text === undefined) return undefined;
      const blob = join(dir, `${id}.tgz`);
      const problem = await checkEntry(text, key, blob);
      if (problem !== undefined) {
        await drop(id);
        warn(`Compiled package '${key.name}' in the local cache (${blob}) ${problem}: removed it; it will be recompiled.`);
        return undefined;
      }
      return { path: blob, sha1: (JSON.parse(text) as Entry).sha1 };
    },
    put: (key, srcPath, sha1) =>
      store(key, sha1, async (temp, algorithms) => {
        await copyFile(srcPath, temp);
        return hashFile(temp, algorithms);
      }),
    store,
  };
}

/** Why a stored entry cannot be used, or undefined when its blob is what was stored for `key`. */
async function checkEntry(text: string, key: CompiledPackageKey, blob: string): Promise<string | undefined> {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch (error) {
    return `has an unreadable entry (${messageOf(error)})`;
  }
  // Entries written before blobs were verified on read have no sha256: they are not trusted.
  if (!isEntry(entry)) return "has an entry without the digest this version checks";
  if (canonicalKey(entry.key) !== canonicalKey(key)) return "has an entry recorded for another package";
  const info = await stat(blob).catch(() => undefined);
  if (info === undefined) return "has lost its blob";
  if (info.size !== entry.size) return `does not match the size recorded when it was stored (${info.size} bytes, recorded ${entry.size})`;
  const actual = await hashFile(blob, ["sha1", "sha256"]);
  if (actual.sha256 !== entry.sha256 || actual.sha1 !== entry.sha1) {
    return `does not match the digest recorded when it was stored (sha256 ${actual.sha256 ?? "?"}, recorded ${entry.sha256})`;
  }
  return undefined;
}
