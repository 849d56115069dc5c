/**
 * Streams chosen regular files out of a (gzipped) tarball without writing any of it: one pass,
 * in the tarball's order, hands each wanted file to `take` as a stream of exactly its bytes.
 * Memory stays at a chunk or two whatever the sizes: while a file's stream is not read, the tar
 * parser waits, and so does the read of the tarball (backpressure from `take` back to the disk).
 * Bytes `take` leaves unread are skipped once it settles. The volume limits of extraction apply.
 *
 * The pass ends early once `complete()` says everything wanted was taken, fails on the first
 * `take` that fails (after the takes under way have settled), and a file is only ever handed
 * over once: openTarFile() reads one file again, in a pass of its own.
 */
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadEntry } from "tar";
import { normalizeEntryPath } from "./entry-policy.js";
import { extractLimitsFrom, type ExtractLimits } from "./extract-limits.js";
import { feedTarball, PLAIN_TAR, VolumeExceeded } from "./metered-tar-stream.js";
import { archiveTooLarge, readInvalidTarball } from "./tarball-errors.js";

export interface TarFile {
  /** The entry's path, normalised (no leading `./`). */
  name: string;
  size: number;
  body: Readable;
}

export interface TarFilesOptions {
  /** The error code for a tarball that cannot be read (a `take`'s own errors pass through). */
  invalidCode: "RELEASE_INVALID" | "STEMCELL_INVALID";
  limits?: ExtractLimits;
  /** True ends the pass (the rest of the tarball is not read) once no file taken is still incomplete. */
  complete?: () => boolean;
}

/** Bytes buffered between the tar parser and a slow reader. */
const BODY_BUFFER = 256 * 1024;

export async function forEachTarFile(path: string, wanted: (name: string) => boolean, take: (file: TarFile) => Promise<void>, options: TarFilesOptions): Promise<void> {
  const limits = options.limits ?? extractLimitsFrom(process.env);
  const takes: Promise<void>[] = [];
  /** Bodies whose entry has not ended yet: a tarball that stops inside one must end them too. */
  const unfinished = new Map<PassThrough, string>();
  let failure: { error: unknown } | undefined;
  let current: string | undefined;
  // Complete only once the files taken have all their bytes: stopping sooner would cut one short.
  const complete = (): boolean => options.complete?.() === true && unfinished.size === 0;
  const stopped = (): boolean => failure !== undefined || complete();
  // Loaded on first use, as in tarball-scan.ts: a no-op deploy reads no tarball.
  const { Parser } = await import("tar");
  const parser = new Parser({
    ...PLAIN_TAR,
    onReadEntry: (entry: ReadEntry) => {
      const name = normalizeEntryPath(entry.path);
      current = entry.path;
      if (entry.type !== "File" || stopped() || !wanted(name)) {
        entry.resume();
        return;
      }
      const body = bodyOf(entry);
      unfinished.set(body, name);
      entry.on("end", () => unfinished.delete(body));
      const taken = take({ name, size: entry.size ?? 0, body }).catch((error: unknown) => {
        failure ??= { error };
      });
      takes.push(taken.finally(() => body.destroy()));
    },
  });
  const parseErrors: unknown[] = [];
  parser.on("error", (e: unknown) => parseErrors.push(e));
  const finished = new Promise<void>((resolve) => parser.on("end", resolve).on("abort", resolve));
  const cutShort = (): void => {
    for (const [body, name] of unfinished) body.destroy(new Error(`'${path}' ends inside '${name}'`));
  };
  try {
    await feedTarball(path, parser, { limits, shouldStop: stopped });
  } catch (error) {
    // The parser gets no more bytes: a file being taken will not end, and must not be waited for.
    cutShort();
    if (error instanceof VolumeExceeded) throw archiveTooLarge(path, current, error.problem, limits);
    throw readInvalidTarball(options.invalidCode, path, error);
  } finally {
    await finished;
    cutShort();
    await Promise.all(takes);
  }
  if (failure !== undefined) throw failure.error;
  // Ended early on purpose, the parser has complained about the tarball it did not get to the end of.
  if (parseErrors.length > 0 && !complete()) throw readInvalidTarball(options.invalidCode, path, parseErrors[0]);
}

/** One file of a tarball as a stream (a pass of its own); it errors when the tarball lacks it. */
export function openTarFile(path: string, name: string, options: Pick<TarFilesOptions, "invalidCode" | "limits">): Readable {
  const out = new PassThrough({ highWaterMark: BODY_BUFFER });
  let found = false;
  const pass = forEachTarFile(
    path,
    (n) => n === name,
    async (file) => {
      found = true;
      await pipeline(file.body, out);
    },
    { ...options, complete: () => found },
  );
  pass.then(
    () => {
      if (!found) out.destroy(new Error(`'${path}' has no file '${name}'`));
    },
    (error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return out;
}

/**
 * The entry's bytes as a Node stream, paced by its reader. Once the stream is destroyed (its
 * taker settled), the rest of the entry is drained so that the parser moves on.
 */
function bodyOf(entry: ReadEntry): PassThrough {
  const body = new PassThrough({ highWaterMark: BODY_BUFFER });
  entry.on("data", (chunk: Buffer) => {
    if (body.destroyed) return;
    if (!body.write(chunk)) entry.pause();
  });
  entry.on("end", () => {
    if (!body.destroyed) body.end();
  });
  body.on("drain", () => entry.resume());
  body.on("close", () => entry.resume());
  return body;
}
