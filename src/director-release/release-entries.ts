/** Where release.MF's jobs and packages sit inside a release tarball, and checking them there. */
import { findMismatch, formatDigest, parseMultiDigest, type DigestValues } from "../artefacts/index.js";
import { BootstrapError } from "../common/index.js";

export function jobEntry(name: string): string {
  return `jobs/${name}.tgz`;
}

export function packageEntry(p: { name: string; compiled: boolean }): string {
  return `${p.compiled ? "compiled_packages" : "packages"}/${p.name}.tgz`;
}

/** The archives a release tarball holds: hashed on their own when the release is inspected. */
export function isArchiveEntry(name: string): boolean {
  return /^(jobs|packages|compiled_packages)\/[^/]+\.tgz$/.test(name);
}

/**
 * Checks an archive's digests (as hashed) against release.MF's digest string for it;
 * DIGEST_MISMATCH names `what`, the expected and the actual digest.
 */
export function checkArchiveDigest(expected: string, actual: DigestValues, what: string): void {
  const digests = parseMultiDigest(expected);
  if (digests === undefined) {
    throw new BootstrapError("RELEASE_INVALID", `${what}: '${expected}' is not a SHA-1 or multi-digest`, {
      hint: "Use a plain SHA-1 hex digest or `sha256:<hex>`.",
    });
  }
  const wrong = findMismatch(digests, actual);
  if (wrong === undefined) return;
  const got = actual[wrong.algorithm];
  throw new BootstrapError("DIGEST_MISMATCH", `${what} has digest ${got === undefined ? `(no ${wrong.algorithm} computed)` : formatDigest({ algorithm: wrong.algorithm, hex: got })}, expected ${formatDigest(wrong)}`, {
    hint: "The file is damaged or is not the one the manifest means; fetch it again or correct the digest.",
  });
}
