/**
 * One HTTP(S) GET streamed to a file, hashed while it streams, with redirects followed and
 * failures sorted into transient (worth another attempt: connection errors, timeouts, 5xx,
 * 429, a body shorter than announced) and permanent (other 4xx).
 */
import { createWriteStream } from "node:fs";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BootstrapError, messageOf } from "../common/index.js";
import { MultiHasher, type DigestAlgorithm, type DigestValues } from "./digest.js";

export class TransientDownloadError extends Error {}

export interface DownloadOptions {
  algorithms: readonly DigestAlgorithm[];
  ca?: string | undefined;
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

function request(url: URL, opts: DownloadOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = { timeout: opts.idleTimeoutMs, ...(opts.ca === undefined ? {} : { ca: opts.ca }), ...(opts.signal === undefined ? {} : { signal: opts.signal }) };
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

export async function downloadOnce(url: string, dest: string, opts: DownloadOptions): Promise<DigestValues> {
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const res = await request(current, opts);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      if (redirects >= MAX_REDIRECTS) throw new BootstrapError("DOWNLOAD_FAILED", `More than ${MAX_REDIRECTS} redirects`);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status !== 200) {
      res.resume();
      const message = `HTTP ${status} ${res.statusMessage ?? ""}`.trim();
      if (status >= 500 || status === 429 || status === 408) throw new TransientDownloadError(message);
      throw new BootstrapError("DOWNLOAD_FAILED", message, { hint: "Check the URL in the manifest." });
    }
    return await saveBody(res, dest, opts);
  }
}

async function saveBody(res: IncomingMessage, dest: string, opts: DownloadOptions): Promise<DigestValues> {
  const announced = Number(res.headers["content-length"]);
  const total = Number.isFinite(announced) && announced >= 0 ? announced : undefined;
  const hasher = new MultiHasher(opts.algorithms);
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hasher.update(chunk);
      bytes += chunk.length;
      opts.onProgress?.(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, meter, createWriteStream(dest, { mode: 0o600 }));
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new TransientDownloadError(`transfer interrupted after ${bytes} bytes: ${messageOf(error)}`);
  }
  if (total !== undefined && bytes !== total) throw new TransientDownloadError(`received ${bytes} of ${total} bytes`);
  return hasher.digest();
}
