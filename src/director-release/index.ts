/**
 * Release tarballs (inspect, extract, verify), artefact fetching with a digest-keyed download
 * cache, the compiled-package cache, and (from ./templates) job template rendering.
 */
export { fetchArtifact } from "./fetch-artifact.js";
export type { FetchOptions } from "./fetch-artifact.js";
export { inspectRelease } from "./inspect-release.js";
export { extractRelease } from "./extract-release.js";
export type { ReleaseSummary, ExtractedRelease, ReleaseJob, ReleasePackage, JobSpec } from "./release-types.js";
export { parseMultiDigest, formatDigest, hashFile } from "./digest.js";
export type { Digest, DigestAlgorithm, DigestValues } from "./digest.js";
export { extractTarballSafely } from "./safe-extract.js";
// Stemcell tarballs are read the same way as release tarballs.
export { summariseTarball } from "./summarise-tarball.js";
export type { TarballKind } from "./summarise-tarball.js";
export { openCompiledPackageCache, compiledPackageKeyId } from "./compiled-package-cache.js";
export type { CompiledPackageKey, CompiledPackageCache, CachedCompiledPackage } from "./compiled-package-cache.js";
// Template rendering is TEMPLATES' folder; its JobSpec is the same shape as ours above.
export { renderJobs, archiveRenderedJobs } from "./templates/index.js";
export type { JobToRender, RenderContext, RenderedFile, RenderedJob, TemplateJob } from "./templates/index.js";
