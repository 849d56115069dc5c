/**
 * BOSH digest strings: plain hex is SHA-1; otherwise `algo:hex`; several digests of the same
 * bytes may be joined with `;` (a "multi-digest"). We verify every digest given, not only the
 * strongest, so a wrong entry anywhere in a multi-digest is caught.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

export type DigestAlgorithm = "sha1" | "sha256" | "sha512";
export interface Digest {
  algorithm: DigestAlgorithm;
  hex: string;
}
export type DigestValues = Partial<Record<DigestAlgorithm, string>>;

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64, sha512: 128 };
const STRENGTH: DigestAlgorithm[] = ["sha512", "sha256", "sha1"];

/** Parses `hex`, `sha256:hex` or `a;b;c`; undefined when any part is not a valid digest. */
export function parseMultiDigest(text: string): Digest[] | undefined {
  const parts = text.split(";").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) return undefined;
  const digests: Digest[] = [];
  for (const part of parts) {
    const colon = part.indexOf(":");
    const algorithm = (colon < 0 ? "sha1" : part.slice(0, colon).toLowerCase()) as DigestAlgorithm;
    const hex = (colon < 0 ? part : part.slice(colon + 1)).toLowerCase();
    const length = HEX_LENGTH[algorithm];
    if (length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) return undefined;
    digests.push({ algorithm, hex });
  }
  return digests;
}

export function formatDigest(d: Digest): string {
  return d.algorithm === "sha1" ? d.hex : `${d.algorithm}:${d.hex}`;
}

export function strongestDigest(digests: readonly Digest[]): Digest {
  const sorted = [...digests].sort((a, b) => STRENGTH.indexOf(a.algorithm) - STRENGTH.indexOf(b.algorithm));
  const first = sorted[0];
  if (first === undefined) throw new Error("strongestDigest needs at least one digest");
  return first;
}

/** The first expected digest the actual values contradict (or lack), or undefined if all match. */
export function findMismatch(expected: readonly Digest[], actual: DigestValues): Digest | undefined {
  return expected.find((d) => actual[d.algorithm] !== d.hex);
}

/** Hashes that can be fed chunk by chunk, so a stream is read once for every algorithm. */
export class MultiHasher {
  private readonly hashes: [DigestAlgorithm, Hash][];
  constructor(algorithms: readonly DigestAlgorithm[]) {
    this.hashes = [...new Set(algorithms)].map((a) => [a, createHash(a)]);
  }
  update(chunk: Buffer): void {
    for (const [, h] of this.hashes) h.update(chunk);
  }
  digest(): DigestValues {
    const out: DigestValues = {};
    for (const [a, h] of this.hashes) out[a] = h.digest("hex");
    return out;
  }
}

export async function hashFile(path: string, algorithms: readonly DigestAlgorithm[], signal?: AbortSignal): Promise<DigestValues> {
  const hasher = new MultiHasher(algorithms);
  const stream = createReadStream(path, signal === undefined ? {} : { signal });
  for await (const chunk of stream) hasher.update(chunk as Buffer);
  return hasher.digest();
}
