/**
 * Artefact files, whatever they hold: BOSH digest strings and hashing, fetching a manifest's
 * `url` + `sha1` to a local file (download cache keyed by digest, every file verified), reading
 * one manifest file out of a tarball (or out of its extracted tree) with its digest (cached by
 * path, size, mtime and inode), and extracting a tarball without letting it write outside its
 * directory (nor fill the disk), then reading the files of an extracted tree that must not be
 * links, or streaming chosen files out of a tarball without extracting it. Releases, stemcells
 * and the CPI installation all use these; what a release or a stemcell contains is not known here.
 */
export { fetchArtifact } from "./fetch-artifact.js";
export type { FetchOptions } from "./fetch-artifact.js";
export { EXTRA_CA_CERTS_HANDOVER, extraCaFileFrom } from "./extra-ca-trust.js";
export { findMismatch, formatDigest, hashFile, parseMultiDigest } from "./digest.js";
export type { Digest, DigestAlgorithm, DigestValues } from "./digest.js";
export { extractTarballSafely } from "./safe-extract.js";
export { checkExtractedFile, readExtractedFile } from "./read-extracted-file.js";
export { summariseTarball } from "./summarise-tarball.js";
export type { TarballKind } from "./summarise-tarball.js";
export { summariseByExtracting } from "./summarise-extracted.js";
export type { ExtractedSummary } from "./summarise-extracted.js";
export { hashTarEntries } from "./tarball-scan.js";
export type { EntryDigests } from "./tarball-scan.js";
export { forEachTarFile, openTarFile } from "./tar-files.js";
export type { TarFile } from "./tar-files.js";
