/**
 * The agent's local blob store, `<base>/data/blobs` — the same directory the mbus `/blobs/`
 * endpoint reads and writes, so blobs a client PUTs are visible to actions and blobs actions
 * create (compiled packages, log bundles) can be fetched with GET. Lookups cascade
 * `data/sensitive_blobs` → `data/blobs` and verify the digest, like the real agent.
 * Blobs are streamed, never held in memory.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type ReadStream } from "node:fs";
import { access, copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { wrap } from "./action-error.js";
import { hashFile, verifyFileDigest } from "./digest.js";
import type { AgentPaths } from "./paths.js";

export function isValidBlobId(id: string): boolean {
  return id !== "" && id !== "." && id !== ".." && !id.includes("/") && !id.includes("\0");
}

export class Blobstore {
  constructor(private readonly paths: AgentPaths) {}

  async init(): Promise<void> {
    await mkdir(this.paths.blobsDir, { recursive: true, mode: 0o750 });
    await mkdir(this.paths.sensitiveBlobsDir, { recursive: true, mode: 0o750 });
  }

  pathOf(id: string): string {
    if (!isValidBlobId(id)) throw new Error(`Invalid blob id '${id}'`);
    return join(this.paths.blobsDir, id);
  }

  /** Writes a blob from a stream (mbus PUT); the blob appears complete or not at all. */
  async put(id: string, body: Readable): Promise<void> {
    const target = this.pathOf(id);
    const temp = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(body, createWriteStream(temp, { mode: 0o640 }));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** A read stream for GET; rejects with ENOENT when the blob is missing. */
  async open(id: string): Promise<ReadStream> {
    const path = this.pathOf(id);
    await access(path);
    return createReadStream(path);
  }

  /** upload_blob: a small blob sent inside a message, kept only if it matches its checksum. */
  async putSensitive(id: string, data: Buffer, checksum: string): Promise<void> {
    if (!isValidBlobId(id)) throw new Error(`Invalid blob id '${id}'`);
    const target = join(this.paths.sensitiveBlobsDir, id);
    await writeFile(target, data, { mode: 0o600 });
    await verifyFileDigest(target, checksum).catch(async (error: unknown) => {
      await rm(target, { force: true });
      throw error;
    });
  }

  /** The path of a stored blob after checking its digest (sensitive blobs first). */
  async fetch(id: string, digest: string): Promise<string> {
    if (!isValidBlobId(id)) throw new Error(`Invalid blob id '${id}'`);
    const candidates = [join(this.paths.sensitiveBlobsDir, id), this.pathOf(id)];
    for (const path of candidates) {
      const present = await access(path).then(() => true, () => false);
      if (!present) continue;
      try {
        await verifyFileDigest(path, digest);
      } catch (error) {
        throw wrap(`Checking downloaded blob '${id}'`, error);
      }
      return path;
    }
    throw new Error(`Getting blob from inner blobstore: Blob '${id}' not found in the local blobstore`);
  }

  /** Moves a file into the store under a fresh id; returns the id and its bare SHA-1 hex. */
  async create(file: string): Promise<{ blobstoreId: string; sha1: string }> {
    const id = randomUUID();
    const sha1 = await hashFile(file, "sha1");
    await rename(file, this.pathOf(id)).catch(async () => {
      await copyFile(file, this.pathOf(id));
      await rm(file, { force: true });
    });
    return { blobstoreId: id, sha1 };
  }

  async delete(id: string): Promise<void> {
    await rm(join(this.paths.sensitiveBlobsDir, id), { force: true });
    await rm(this.pathOf(id), { force: true });
  }
}
