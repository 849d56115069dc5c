/**
 * Streams blobs to and from the agent's mbus blobstore (`PUT`/`GET /blobs/<prefix>/<id>`, the
 * davcli layout bosh-cli uses; the agent keeps only the last segment). SHA-1 and SHA-256 are
 * computed while the bytes flow, so a blob is never held in memory, whatever its size.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BootstrapError, messageOf, redact } from "../common/index.js";
import type { HttpsTransport } from "./https-transport.js";
import { AgentUnreachableError } from "./transport-failure.js";
import type { BlobDigests, BlobStream, UploadOptions } from "./types.js";

const ATTEMPTS = 3;
const CHUNK = 256 * 1024;

function blobPath(blobId: string): string {
  const prefix = createHash("sha1").update(blobId).digest("hex").slice(0, 2);
  return `/blobs/${prefix}/${encodeURIComponent(blobId)}`;
}

/** `source`: a file, or a stream that can be opened again for a retry (a file inside a tarball). */
export async function uploadBlob(
  transport: HttpsTransport,
  source: string | BlobStream,
  opts: UploadOptions = {},
): Promise<{ blobId: string } & BlobDigests> {
  const blob = typeof source === "string" ? await fileStream(source) : source;
  const blobId = randomUUID();
  return { blobId, ...(await withRetries(() => putOnce(transport, blob, blobId, opts), opts.signal)) };
}

async function fileStream(path: string): Promise<BlobStream> {
  const size = await stat(path).then(
    (s) => s.size,
    (cause: unknown) => {
      throw new BootstrapError("FILE_NOT_FOUND", `Cannot read blob source ${path}: ${messageOf(cause)}`, { cause });
    },
  );
  return { size, label: path, open: () => createReadStream(path, { highWaterMark: CHUNK }) };
}

async function putOnce(transport: HttpsTransport, blob: BlobStream, blobId: string, opts: UploadOptions): Promise<BlobDigests> {
  const { size } = blob;
  const digest = new DigestStream(opts.onProgress);
  const file = blob.open();
  // A source that cannot be read (a damaged tarball) fails the upload as itself, not as the
  // transport failure it causes, and is not retried.
  let unreadable: { error: Error } | undefined;
  file.once("error", (error) => {
    unreadable = { error };
    digest.destroy(error);
  });
  const body = file.pipe(digest);
  const response = await transport
    .send({
      method: "PUT",
      path: blobPath(blobId),
      headers: { "Content-Length": size, "Content-Type": "application/octet-stream" },
      body,
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
    .catch((error: unknown) => {
      file.destroy();
      if (unreadable === undefined) throw error;
      if (unreadable.error instanceof BootstrapError) throw unreadable.error;
      throw failed(`cannot read ${blob.label} for blob ${blobId}: ${messageOf(unreadable.error)}`, unreadable.error);
    });
  const text = await readSmall(response);
  if (response.statusCode !== 201 && response.statusCode !== 204) {
    throw failed(`PUT of blob ${blobId} from ${blob.label} answered ${response.statusCode}: ${text}`);
  }
  return digest.result();
}

export async function downloadBlob(transport: HttpsTransport, blobId: string, destPath: string, signal?: AbortSignal): Promise<BlobDigests> {
  return withRetries(async () => {
    const response = await transport.send({ method: "GET", path: blobPath(blobId), ...(signal ? { signal } : {}) });
    if (response.statusCode === 404) {
      await readSmall(response);
      throw new BlobNotFoundError(blobId);
    }
    if (response.statusCode !== 200) {
      const text = await readSmall(response);
      throw failed(`GET of blob ${blobId} answered ${response.statusCode}: ${text}`);
    }
    const digest = new DigestStream();
    try {
      await pipeline(response, digest, createWriteStream(destPath, { mode: 0o600 }));
    } catch (error) {
      await rm(destPath, { force: true });
      throw error;
    }
    return digest.result();
  }, signal);
}

/**
 * GET /blobs answered 404. The upstream agent serves only <base>/data/blobs there: what was PUT,
 * and what compile_package and fetch_logs made when its blobstore is local at that directory
 * (or at /var/vcap/micro_bosh/data/cache, which it maps there, as bosh-deployment configures).
 * Results kept in any other blobstore stay on the VM, unreachable over the mbus.
 */
export class BlobNotFoundError extends BootstrapError {
  constructor(readonly blobId: string) {
    super("BLOB_TRANSFER_FAILED", `GET of blob ${blobId} answered 404: the agent does not serve it over /blobs`, {
      hint: "The agent's blobstore (settings blobstore / env.bosh.blobstores) is not local at /var/vcap/micro_bosh/data/cache or /var/vcap/data/blobs",
    });
    this.name = "BlobNotFoundError";
  }
}

/** Retries transient transport failures, as bosh-cli's blobstore client does (3 attempts). */
async function withRetries<T>(attempt: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted) {
        throw new BootstrapError("INTERRUPTED", "Interrupted during a blob transfer to the agent", { hint: "Run the command again", cause: error });
      }
      if (error instanceof AgentUnreachableError && !error.permanent && n < ATTEMPTS) continue;
      if (error instanceof BootstrapError) throw error;
      throw failed(messageOf(error), error);
    }
  }
}

class DigestStream extends Transform {
  private readonly sha1 = createHash("sha1");
  private readonly sha256 = createHash("sha256");
  private size = 0;

  constructor(private readonly onProgress?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha1.update(chunk);
    this.sha256.update(chunk);
    this.size += chunk.length;
    this.onProgress?.(this.size);
    callback(null, chunk);
  }

  result(): BlobDigests {
    return { sha1: this.sha1.digest("hex"), sha256: this.sha256.digest("hex"), size: this.size };
  }
}

async function readSmall(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) if (text.length < 4096) text += String(chunk);
  return redact(text.slice(0, 4096).trim());
}

function failed(message: string, cause?: unknown): BootstrapError {
  return new BootstrapError("BLOB_TRANSFER_FAILED", message, {
    hint: "Check free space under /var/vcap/data on the VM and the agent log; then run the command again",
    cause,
  });
}
