/**
 * Feeds a (gzipped) tar file into a node-tar Parser or Unpack, decompressing it here rather than
 * inside node-tar so that every byte in and out is counted: the volume limits
 * (extract-limits.ts) are checked as the stream flows, and a tarball that breaks them stops
 * being read at once. The sink only ever sees plain tar; a stream that is still compressed
 * after one gunzip (a tarball gzipped twice, or zstd) is refused rather than left to node-tar's
 * own decompressor, which these limits would not see.
 *
 * Resolves when the whole file went in (or `shouldStop()` said to stop); the sink is always
 * ended, so node-tar finishes what it started. Rejects on a read or gunzip error, and with a
 * VolumeExceeded when a limit was crossed.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { volumeProblem, type ExtractLimits, type Volume } from "./extract-limits.js";

/**
 * How every node-tar Parser and Unpack fed by feedTarball is built: it sees plain tar only, so
 * node-tar's own decompressors stay off, and a damaged header is an error, not a warning.
 */
export const PLAIN_TAR = { strict: true, zstd: false, brotli: false } as const;

export interface TarSink {
  write(chunk: Buffer): boolean;
  end(): unknown;
  once(event: "drain", listener: () => void): unknown;
}

export interface FeedOptions {
  limits: ExtractLimits;
  /** every byte of the file, as read (for hashing) */
  onFileChunk?: (chunk: Buffer) => void;
  /** checked before each write: true stops reading (the sink already refused something) */
  shouldStop?: () => boolean;
}

export class VolumeExceeded extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

export class NestedCompression extends Error {}

const CHUNK_BYTES = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

const startsWith = (bytes: Buffer, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

export async function feedTarball(tarball: string, sink: TarSink, options: FeedOptions): Promise<Volume> {
  const volume: Volume = { compressed: 0, uncompressed: 0 };
  const gzipped = startsWith(await readHead(tarball), GZIP_MAGIC);
  // Big chunks both ways: with gunzip's 16 KiB default a GiB-sized image took four times as long,
  // and reading 1 MiB at a time rather than 64 KiB halves a pass over a big tarball again.
  const gunzip = gzipped ? createGunzip({ chunkSize: CHUNK_BYTES }) : undefined;
  let first = true;
  let stopped = false;
  try {
    await pipeline(
      createReadStream(tarball, { highWaterMark: CHUNK_BYTES }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          options.onFileChunk?.(chunk);
          yield chunk;
        }
      },
      gunzip ?? new PassThrough(),
      async function (tar: AsyncIterable<Buffer>) {
        for await (const chunk of tar) {
          if (options.shouldStop?.() === true) {
            stopped = true;
            return;
          }
          if (first) {
            first = false;
            if (startsWith(chunk, GZIP_MAGIC) || startsWith(chunk, ZSTD_MAGIC)) throw new NestedCompression("the tar stream is compressed again inside; only gzip-compressed tar is accepted");
          }
          volume.uncompressed += chunk.length;
          // What gunzip has consumed, not what was read ahead of it: the ratio stays exact.
          volume.compressed = gunzip?.bytesWritten ?? volume.uncompressed;
          const problem = volumeProblem(volume, options.limits);
          if (problem !== undefined) throw new VolumeExceeded(problem);
          if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once("drain", resolve));
        }
      },
    );
  } catch (error) {
    // Stopping leaves the file and gunzip unread: the pipeline reports them aborted.
    if (!stopped) throw error;
  } finally {
    sink.end();
  }
  return volume;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
