/**
 * How feedTarball moves bytes: a megabyte at a time from the file and out of gunzip. With
 * 64 KiB reads a pass over a 400 MiB tarball took about twice as long (bench:peer's big case
 * reads its release and stemcell this way while nothing else can happen yet).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_EXTRACT_LIMITS } from "../../src/artefacts/extract-limits.js";
import { feedTarball, type TarSink } from "../../src/artefacts/metered-tar-stream.js";
import { gzipTar } from "./hostile-tarballs.js";

const MiB = 1024 ** 2;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "metered-tar-stream-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function recordingSink(sizes: number[]): TarSink {
  return { write: (chunk) => (sizes.push(chunk.length), true), end: () => undefined, once: () => undefined };
}

describe("feedTarball", () => {
  it("reads the file and inflates it a megabyte at a time", async () => {
    // Random bytes: gzip cannot shrink them, so the file is as big as the tar stream.
    const tarball = join(root, "big.tgz");
    writeFileSync(tarball, gzipTar([{ path: "bulk", content: randomBytes(4 * MiB) }]));
    const read: number[] = [];
    const inflated: number[] = [];
    const volume = await feedTarball(tarball, recordingSink(inflated), { limits: DEFAULT_EXTRACT_LIMITS, onFileChunk: (c) => read.push(c.length) });
    expect(Math.max(...read)).toBe(MiB);
    expect(Math.max(...inflated)).toBe(MiB);
    expect(inflated.reduce((a, b) => a + b, 0)).toBe(volume.uncompressed);
  });
});
