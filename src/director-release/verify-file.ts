import { findMismatch, formatDigest, hashFile, parseMultiDigest, type DigestValues } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";

/**
 * Checks a file against a BOSH digest string (plain SHA-1 or multi-digest); DIGEST_MISMATCH
 * names `what`, the expected and the actual digest. Returns the digests it computed: those
 * expected, and SHA-256 always (hashed in the same pass), so callers can key on the bytes.
 */
export async function verifyFileDigest(path: string, expected: string, what: string, signal?: AbortSignal): Promise<DigestValues> {
  const digests = parseMultiDigest(expected);
  if (digests === undefined) {
    throw new BootstrapError("RELEASE_INVALID", `${what}: '${expected}' is not a SHA-1 or multi-digest`, {
      hint: "Use a plain SHA-1 hex digest or `sha256:<hex>`.",
    });
  }
  const actual = await hashFile(path, [...digests.map((d) => d.algorithm), "sha256"], signal);
  const wrong = findMismatch(digests, actual);
  if (wrong !== undefined) {
    const got = formatDigest({ algorithm: wrong.algorithm, hex: actual[wrong.algorithm] ?? "" });
    throw new BootstrapError("DIGEST_MISMATCH", `${what} has digest ${got}, expected ${formatDigest(wrong)}`, {
      hint: "The file is damaged or is not the one the manifest means; fetch it again or correct the digest.",
    });
  }
  return actual;
}
