/**
 * bosh "multiple digests": a bare 40-hex SHA-1, `algo:hex`, or several joined with `;`.
 * Verification uses the strongest algorithm present (sha512 > sha256 > sha1), as the agent does.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

const STRENGTH = ["sha1", "sha256", "sha512"] as const;
type Algorithm = (typeof STRENGTH)[number];

export interface Digest {
  algorithm: Algorithm;
  hex: string;
}

export function strongestDigest(text: string): Digest {
  const digests: Digest[] = [];
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p !== "")) {
    const colon = part.indexOf(":");
    const algorithm = colon < 0 ? "sha1" : part.slice(0, colon).toLowerCase();
    const hex = (colon < 0 ? part : part.slice(colon + 1)).toLowerCase();
    if ((STRENGTH as readonly string[]).includes(algorithm)) digests.push({ algorithm: algorithm as Algorithm, hex });
  }
  const best = digests.sort((a, b) => STRENGTH.indexOf(b.algorithm) - STRENGTH.indexOf(a.algorithm))[0];
  if (best === undefined) throw new Error("no digest algorithm found. Supported algorithms: sha1, sha256, sha512");
  return best;
}

export function hashFile(path: string, algorithm: Algorithm): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash(algorithm);
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", fail)
      .on("end", () => done(hash.digest("hex")));
  });
}

/** Throws the agent's digest mismatch text when the file does not match `expected`. */
export async function verifyFileDigest(path: string, expected: string): Promise<void> {
  const digest = strongestDigest(expected);
  const actual = await hashFile(path, digest.algorithm);
  if (actual !== digest.hex) {
    const shown = digest.algorithm === "sha1" ? actual : `${digest.algorithm}:${actual}`;
    throw new Error(`Expected stream to have digest '${expected}' but was '${shown}'`);
  }
}
