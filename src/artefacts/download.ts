/**
 * One HTTP(S) GET streamed to a file, hashed while it streams, with redirects followed and
 * failures sorted into transient (worth another attempt: connection errors, timeouts, 5xx,
 * 429, a body shorter than announced) and permanent (other 4xx).
 *
 * Resumes: given a file already holding the first bytes, it asks for the rest (`Range`); a 206
 * from that offset is appended (the kept bytes are hashed first, so the digest covers the whole
 * file), a plain 200 (a server without ranges) starts the file over.
 */
import { createReadStream } from "node:fs";
import { open, stat, truncate } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { BootstrapError, messageOf } from "../common/index.js";
import { MultiHasher, type DigestAlgorithm, type DigestValues } from "./digest.js";

export class TransientDownloadError extends Error {}

export interface DownloadOptions {
  algorithms: readonly DigestAlgorithm[];
  ca?: string | string[] | undefined;
  signal?: AbortSignal | undefined;
  idleTimeoutMs: number;
  onProgress?: ((bytes: number, total?: number) => void) | undefined;
}

const MAX_REDIRECTS = 5;

/** The URL as it may be shown: without the password of basic auth. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "REDACTED";
    return u.toString();
  } catch {
    return url;
  }
}

function request(url: URL, opts: DownloadOptions, from: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = {
      timeout: opts.idleTimeoutMs,
      headers: from > 0 ? { range: `bytes=${from}-` } : {},
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    };
    const req = url.protocol === "https:" ? httpsGet(url, options, resolve) : httpGet(url, options, resolve);
    req.on("timeout", () => req.destroy(new TransientDownloadError(`no data for ${opts.idleTimeoutMs} ms`)));
    req.on("error", (e) => reject(opts.signal?.aborted ? opts.signal.reason : classify(e)));
  });
}

/** TLS verification failures will not go away on retry; everything else on the socket might. */
function classify(error: Error): Error {
  if (error instanceof TransientDownloadError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new BootstrapError("DOWNLOAD_FAILED", `TLS verification failed: ${error.message}`, {
      hint: "The server's certificate is not trusted; check the URL or add its CA.",
    });
  }
  return new TransientDownloadError(`${code === "" ? "" : `${code}: `}${error.message}`);
}

/** Downloads `url` into `dest`, continuing after the bytes `dest` already holds (none: a new file). */
export async function downloadOnce(url: string, dest: string, opts: DownloadOptions): Promise<DigestValues> {
  const from = await stat(dest).then(
    (s) => s.size,
    () => 0,
  );
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const res = await request(current, opts, from);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      if (redirects >= MAX_REDIRECTS) throw new BootstrapError("DOWNLOAD_FAILED", `More than ${MAX_REDIRECTS} redirects`);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status === 206 && from > 0 && contentRangeStart(res) === from) return await saveBody(res, dest, opts, from);
    if (status === 416 && from > 0) {
      // The kept bytes do not fit what the server has now: start over on the next attempt.
      res.resume();
      await truncate(dest, 0);
      throw new TransientDownloadError(`the server refused to resume at byte ${from}`);
    }
    if (status !== 200) {
      res.resume();
      const message = `HTTP ${status} ${res.statusMessage ?? ""}`.trim();
      if (status >= 500 || status === 429 || status === 408) throw new TransientDownloadError(message);
      throw new BootstrapError("DOWNLOAD_FAILED", message, { hint: "Check the URL in the manifest." });
    }
    return await saveBody(res, dest, opts, 0);
  }
}

function contentRangeStart(res: IncomingMessage): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers["content-range"] ?? "");
  return match === null ? undefined : Number(match[1]);
}

async function saveBody(res: IncomingMessage, dest: string, opts: DownloadOptions, from: number): Promise<DigestValues> {
  const announced = Number(res.headers["content-length"]);
  const total = Number.isFinite(announced) && announced >= 0 ? from + announced : undefined;
  const hasher = new MultiHasher(opts.algorithms);
  if (from > 0) {
    for await (const chunk of createReadStream(dest, { end: from - 1, ...(opts.signal ? { signal: opts.signal } : {}) })) hasher.update(chunk as Buffer);
  }
  let bytes = from;
  // Written chunk by chunk, each on disk before the next is read: what arrived before a drop
  // is kept whole for the next attempt to resume from (a pipeline would discard its buffers).
  const file = await open(dest, from > 0 ? "a" : "w", 0o600);
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      await file.write(chunk);
      hasher.update(chunk);
      bytes += chunk.length;
      opts.onProgress?.(bytes, total);
    }
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new TransientDownloadError(`transfer interrupted after ${bytes} bytes: ${messageOf(error)}`);
  } finally {
    await file.close();
  }
  if (total !== undefined && bytes !== total) throw new TransientDownloadError(`received ${bytes} of ${total} bytes`);
  return hasher.digest();
}
