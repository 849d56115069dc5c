/**
 * Small JSON facts about a local file (its digests, its parsed manifest) remembered by the
 * file's path, size, mtime and inode, so a no-op run neither rehashes nor re-reads large
 * tarballs. A changed file (any of those four) simply misses. Entries are written atomically;
 * a damaged entry is treated as a miss.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { BootstrapError, writeFileAtomic } from "../common/index.js";

export interface StatKey {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export async function statKey(path: string, what: string): Promise<StatKey> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new BootstrapError("FILE_NOT_FOUND", `${what} '${path}' is not a regular file`);
    return { path, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (error) {
    if (error instanceof BootstrapError) throw error;
    throw new BootstrapError("FILE_NOT_FOUND", `${what} '${path}' cannot be read`, {
      cause: error,
      hint: "Check the path (file:// URLs are relative to the manifest's directory).",
    });
  }
}

function entryPath(cacheDir: string, namespace: string, path: string): string {
  return join(cacheDir, namespace, `${createHash("sha256").update(path).digest("hex")}.json`);
}

function sameKey(a: StatKey, b: StatKey): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

export async function readStatCache<T>(cacheDir: string, namespace: string, key: StatKey): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(entryPath(cacheDir, namespace, key.path), "utf8");
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as { key: StatKey; value: T };
    return sameKey(entry.key, key) ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStatCache<T>(cacheDir: string, namespace: string, key: StatKey, value: T): Promise<void> {
  await mkdir(join(cacheDir, namespace), { recursive: true, mode: 0o700 });
  await writeFileAtomic(entryPath(cacheDir, namespace, key.path), JSON.stringify({ key, value }), 0o600);
}
