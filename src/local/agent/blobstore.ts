/**
 * The agent's blobs, laid out as the real agent keeps them. `<base>/data/blobs` is what the mbus
 * `/blobs/` endpoint reads and writes (what a client PUT); results the agent makes (compiled
 * packages, log bundles) go to the configured blobstore, which is that same directory only when
 * the settings name it, or name bosh-deployment's /var/vcap/micro_bosh/data/cache (the real
 * agent maps that path there). Any other local path keeps results out of reach of GET, as with
 * the real agent; other providers (dav, s3...) have no client here, so their results stay in
 * data/blobs. Lookups cascade `data/sensitive_blobs` → `data/blobs` → configured store and
 * verify the digest. Blobs are streamed, never held in memory.
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

function isValidBlobId(id: string): boolean {
  return id !== "" && id !== "." && id !== ".." && !id.includes("/") && !id.includes("\0");
}

/** bosh-deployment's blobstore_path, which the real agent maps to <base>/data/blobs. */
const CREATE_ENV_BLOBSTORE_PATH = "/var/vcap/micro_bosh/data/cache";

export class Blobstore {
  /** Where created blobs go: the configured local blobstore. */
  private readonly storeDir: string;

  constructor(private readonly paths: AgentPaths, configuredPath: string | undefined) {
    this.storeDir = configuredPath === undefined || configuredPath === CREATE_ENV_BLOBSTORE_PATH ? paths.blobsDir : paths.mapVcapPath(configuredPath);
  }

  async init(): Promise<void> {
    await mkdir(this.paths.blobsDir, { recursive: true, mode: 0o750 });
    await mkdir(this.paths.sensitiveBlobsDir, { recursive: true, mode: 0o750 });
    await mkdir(this.storeDir, { recursive: true, mode: 0o750 });
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
    const candidates = [join(this.paths.sensitiveBlobsDir, id), this.pathOf(id), join(this.storeDir, id)];
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

  /** Moves a file into the configured store under a fresh id; returns the id and its bare SHA-1 hex. */
  async create(file: string): Promise<{ blobstoreId: string; sha1: string }> {
    const id = randomUUID();
    const sha1 = await hashFile(file, "sha1");
    const target = join(this.storeDir, id);
    await rename(file, target).catch(async () => {
      await copyFile(file, target);
      await rm(file, { force: true });
    });
    return { blobstoreId: id, sha1 };
  }

  async delete(id: string): Promise<void> {
    await rm(join(this.paths.sensitiveBlobsDir, id), { force: true });
    await rm(this.pathOf(id), { force: true });
  }
}
