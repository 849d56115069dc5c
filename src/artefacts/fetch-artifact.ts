/**
 * Turns a manifest reference (`file://`, a plain path, or `http(s)://`) into a local file path.
 * Downloads land in `cacheDir` under the expected digest, so a later run finds them without
 * the network; each attempt is verified before it is moved into place, and a digest mismatch
 * fails at once (it is not retried: the server would send the same bytes again). Local files
 * given with a digest are verified too, through the path+size+mtime digest cache.
 *
 * An interrupted download is resumed, like a package manager's: a failed attempt keeps its bytes
 * and the next one asks for the rest; a run that was stopped (Ctrl-C) or died leaves its partial
 * file, `.partial-<digest>-<pid>`, and the next run that needs the same digest takes it over.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { BootstrapError, isAlive, messageOf, redact, sleep, type Logger } from "../common/index.js";
import { findMismatch, formatDigest, hashFile, parseMultiDigest, strongestDigest, type Digest, type DigestValues } from "./digest.js";
import { displayUrl, downloadOnce, TransientDownloadError } from "./download.js";
import { trustWithExtraCas } from "./extra-ca-trust.js";
import { readStatCache, statKey, writeStatCache } from "./stat-cache.js";

export interface FetchOptions {
  cacheDir: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number, total?: number) => void) | undefined;
  /** The CA certificates https downloads trust, instead of Node's default store (PEM). */
  ca?: string | undefined;
  /** NODE_EXTRA_CA_CERTS as the launcher handed it over: trusted on top of the bundled roots. */
  extraCaFile?: string | undefined;
  /** Bounded attempts for transient failures (default 3, 500 ms apart, doubling). */
  attempts?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
}

export async function fetchArtifact(ref: { url: string; sha1?: string | undefined }, opts: FetchOptions): Promise<{ path: string; downloaded: boolean }> {
  const expected = ref.sha1 === undefined ? undefined : parseDigests(ref.sha1, ref.url);
  if (/^https?:\/\//i.test(ref.url)) return download(ref.url, expected, opts);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref.url) && !/^file:\/\//i.test(ref.url)) {
    throw new BootstrapError("DOWNLOAD_FAILED", `Unsupported URL scheme in '${displayUrl(ref.url)}'`, {
      hint: "Use file://, a plain path, or http(s)://.",
    });
  }
  const path = localPath(ref.url);
  if (expected !== undefined) await verifyLocal(path, expected, opts);
  else await statKey(path, "Artefact");
  return { path, downloaded: false };
}

function parseDigests(sha1: string, url: string): Digest[] {
  const digests = parseMultiDigest(sha1);
  if (digests === undefined) {
    throw new BootstrapError("MANIFEST_INVALID", `The digest '${sha1}' given for '${displayUrl(url)}' is not a SHA-1 or multi-digest`, {
      hint: "Use a plain SHA-1 hex digest or `sha256:<hex>` in the manifest's sha1 field.",
    });
  }
  return digests;
}

function localPath(url: string): string {
  let path = url.replace(/^file:\/\//i, "");
  if (path.startsWith("~/") || path === "~") path = join(homedir(), path.slice(1));
  path = resolve(path);
  // pathToFileURL-style URLs carry %-escapes; a literal '%' in a file name is rarer.
  if (!existsSync(path) && path.includes("%")) {
    try {
      const decoded = decodeURIComponent(path);
      if (existsSync(decoded)) return decoded;
    } catch {
      // not an escape sequence: keep the literal path and let the stat report it
    }
  }
  return path;
}

async function verifyLocal(path: string, expected: Digest[], opts: FetchOptions): Promise<void> {
  const key = await statKey(path, "Artefact");
  const known = (await readStatCache<DigestValues>(opts.cacheDir, "file-digests-v1", key)) ?? {};
  const missing = expected.map((d) => d.algorithm).filter((a) => known[a] === undefined);
  if (missing.length > 0) {
    Object.assign(known, await hashFile(path, missing, opts.signal));
    await writeStatCache(opts.cacheDir, "file-digests-v1", key, known);
  }
  const wrong = findMismatch(expected, known);
  if (wrong !== undefined) throw mismatch(path, wrong, known);
}

function mismatch(source: string, wrong: Digest, actual: DigestValues): BootstrapError {
  const got = formatDigest({ algorithm: wrong.algorithm, hex: actual[wrong.algorithm] ?? "" });
  return new BootstrapError("DIGEST_MISMATCH", `Digest mismatch for '${redact(displayUrl(source))}': expected ${formatDigest(wrong)}, actual ${got}`, {
    hint: "The file is not the one the manifest's sha1 names: correct the sha1 or the URL.",
  });
}

/**
 * Downloads of this process under way, by target: a deploy fetches its artefacts side by side,
 * and two of them with the same digest would otherwise write into one partial file at once.
 */
const underWay = new Map<string, Promise<unknown>>();

async function download(url: string, expected: Digest[] | undefined, opts: FetchOptions): Promise<{ path: string; downloaded: boolean }> {
  const shown = redact(displayUrl(url));
  if (expected === undefined) {
    throw new BootstrapError("DOWNLOAD_FAILED", `No sha1 given for '${shown}'`, {
      hint: "Add the tarball's sha1 (or sha256:...) next to its url in the manifest: downloads are always verified.",
    });
  }
  const key = strongestDigest(expected);
  const target = join(opts.cacheDir, `${key.algorithm}-${key.hex}`);
  // The same digest already coming: wait for it, then find it in the cache (or fetch it, if that failed).
  while (underWay.has(target)) await underWay.get(target)?.catch(() => undefined);
  const fetching = downloadTo(target, key, url, shown, expected, opts);
  underWay.set(target, fetching);
  try {
    return await fetching;
  } finally {
    if (underWay.get(target) === fetching) underWay.delete(target);
  }
}

async function downloadTo(target: string, key: Digest, url: string, shown: string, expected: Digest[], opts: FetchOptions): Promise<{ path: string; downloaded: boolean }> {
  if (await isFile(target)) {
    opts.logger.debug(`Using cached download ${target} for ${shown}`);
    return { path: target, downloaded: false };
  }
  await mkdir(opts.cacheDir, { recursive: true, mode: 0o700 });
  const partial = join(opts.cacheDir, `.partial-${key.algorithm}-${key.hex}-${process.pid}`);
  await takeOverStalePartials(opts.cacheDir, `.partial-${key.algorithm}-${key.hex}-`, partial, opts.logger);
  // Read only now that bytes are to come over the network: a cached artefact needs no TLS.
  const ca = opts.ca ?? (opts.extraCaFile === undefined ? undefined : await trustWithExtraCas(opts.extraCaFile, opts.logger));
  const attempts = Math.max(1, opts.attempts ?? 3);
  let delay = opts.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const actual = await downloadOnce(url, partial, {
        algorithms: expected.map((d) => d.algorithm),
        ca,
        signal: opts.signal,
        idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
        onProgress: opts.onProgress,
      });
      const wrong = findMismatch(expected, actual);
      if (wrong !== undefined) {
        await rm(partial, { force: true });
        throw mismatch(url, wrong, actual);
      }
      await rename(partial, target);
      opts.logger.debug(`Downloaded ${shown} to ${target}`);
      return { path: target, downloaded: true };
    } catch (error) {
      // Interrupted or transient: the bytes so far stay for the next attempt (or run) to resume.
      if (opts.signal?.aborted) throw error;
      if (!(error instanceof TransientDownloadError)) {
        await rm(partial, { force: true });
        if (error instanceof BootstrapError && error.code === "DOWNLOAD_FAILED") {
          throw new BootstrapError("DOWNLOAD_FAILED", `Cannot download '${shown}': ${error.message}`, { hint: error.hint, cause: error });
        }
        throw error;
      }
      opts.logger.warn(`Download attempt ${attempt}/${attempts} of ${shown} failed: ${messageOf(error)}`);
      if (attempt >= attempts) {
        throw new BootstrapError("DOWNLOAD_FAILED", `Cannot download '${shown}' after ${attempts} attempts: ${messageOf(error)}`, {
          cause: error,
          hint: "Check the network and the URL, then run the command again: it continues where this run stopped.",
        });
      }
      await sleep(delay, opts.signal);
      delay *= 2;
    }
  }
}

/**
 * Partial downloads whose run has ended: one of the digest being fetched is taken over (the
 * largest, renamed to this run's name: a rename is atomic, so two runs never share one); other
 * digests' partials are kept for their own next fetch unless a week old. Partials of live runs
 * are theirs.
 */
async function takeOverStalePartials(cacheDir: string, prefix: string, mine: string, logger: Logger): Promise<void> {
  const stale: { path: string; size: number; mtimeMs: number; same: boolean }[] = [];
  for (const name of await readdir(cacheDir)) {
    const pid = Number(/^\.partial-.*-(\d+)$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const info = await stat(join(cacheDir, name)).catch(() => undefined);
    if (info !== undefined) stale.push({ path: join(cacheDir, name), size: info.size, mtimeMs: info.mtimeMs, same: name.startsWith(prefix) });
  }
  const ours = stale.filter((p) => p.same).sort((a, b) => b.size - a.size);
  const [best, ...rest] = ours;
  if (best !== undefined) {
    await rename(best.path, mine).then(
      () => logger.debug(`Resuming a download left after ${best.size} bytes`),
      () => undefined, // another run took it first: this one starts afresh
    );
  }
  const weekAgo = Date.now() - 7 * 24 * 3600_000;
  for (const p of [...rest, ...stale.filter((q) => !q.same && q.mtimeMs < weekAgo)]) await rm(p.path, { force: true });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
