import { hashFile, parseMultiDigest, type DigestValues } from "../artefacts/index.js";
import { checkArchiveDigest } from "./release-entries.js";

/**
 * Checks a file against a BOSH digest string (plain SHA-1 or multi-digest); DIGEST_MISMATCH
 * names `what`, the expected and the actual digest. Returns the digests it computed: those
 * expected, and SHA-256 always (hashed in the same pass), so callers can key on the bytes.
 */
export async function verifyFileDigest(path: string, expected: string, what: string, signal?: AbortSignal): Promise<DigestValues> {
  const algorithms = parseMultiDigest(expected)?.map((d) => d.algorithm) ?? [];
  const actual = await hashFile(path, [...algorithms, "sha256"], signal);
  checkArchiveDigest(expected, actual, what);
  return actual;
}
