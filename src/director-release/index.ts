/**
 * Release tarballs (inspect, extract, verify, or read for a VM with the packages streamed from
 * the tarball), the compiled-package cache, and (from
 * ./templates) job template rendering. Fetching, digests and safe extraction are generic
 * artefact work: see src/artefacts.
 */
export { inspectRelease } from "./inspect-release.js";
export { extractRelease } from "./extract-release.js";
export { readReleaseJobs } from "./read-release-jobs.js";
export { streamPackageArchives } from "./package-archives.js";
export type { PackageArchive } from "./package-archives.js";
export { checkArchiveDigest } from "./release-entries.js";
export type { ReleaseSummary, ExtractedRelease, ReleaseInTarball, ReleaseJob, ReleasePackage, PackageInTarball, PackageFacts, JobSpec } from "./release-types.js";
export { openCompiledPackageCache, compiledPackageKeyId } from "./compiled-package-cache.js";
export type { CompiledPackageKey, CompiledPackageSource, CompiledPackageCache, CachedCompiledPackage } from "./compiled-package-cache.js";
// Template rendering is TEMPLATES' folder; its JobSpec is the same shape as ours above.
export { renderJobs, archiveRenderedJobs, stopTemplateEngine, warmUpTemplateEngine } from "./templates/index.js";
export type { JobToRender, RenderContext, RenderedFile, RenderedJob, TemplateJob } from "./templates/index.js";
