/**
 * Reads a (gzipped) tarball once from start to end, hashing its bytes and keeping the content
 * of a few small named entries (release.MF, stemcell.MF). One pass serves both the digest and
 * the manifest, so a cache miss costs one read of the file, not two.
 */
import { createReadStream } from "node:fs";
import { Parser, type ReadEntry } from "tar";
import { MultiHasher, type DigestAlgorithm, type DigestValues } from "./digest.js";

export interface TarballScan {
  digests: DigestValues;
  files: Map<string, Buffer>;
}

/** `./a/b`, `a/b/` and `a//b` all name `a/b`. */
function normalizeEntryPath(path: string): string {
  return path
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}

export async function scanTarball(path: string, wanted: readonly string[], algorithms: readonly DigestAlgorithm[]): Promise<TarballScan> {
  const wantedSet = new Set(wanted);
  const hasher = new MultiHasher(algorithms);
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const name = normalizeEntryPath(entry.path);
        if (entry.type !== "File" || !wantedSet.has(name)) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => files.set(name, Buffer.concat(chunks)));
      },
    });
    const source = createReadStream(path);
    parser.on("error", (e: unknown) => {
      source.destroy();
      reject(e);
    });
    parser.on("end", () => resolve());
    source.on("error", reject);
    source.on("data", (chunk) => {
      hasher.update(chunk as Buffer);
      parser.write(chunk as Buffer);
    });
    source.on("end", () => parser.end());
  });
  return { digests: hasher.digest(), files };
}
