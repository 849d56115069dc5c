/**
 * Release tarballs (inspect, extract, verify), the compiled-package cache, and (from
 * ./templates) job template rendering. Fetching, digests and safe extraction are generic
 * artefact work: see src/artefacts.
 */
export { inspectRelease } from "./inspect-release.js";
export { extractRelease } from "./extract-release.js";
export type { ReleaseSummary, ExtractedRelease, ReleaseJob, ReleasePackage, JobSpec } from "./release-types.js";
export { openCompiledPackageCache, compiledPackageKeyId } from "./compiled-package-cache.js";
export type { CompiledPackageKey, CompiledPackageSource, CompiledPackageCache, CachedCompiledPackage } from "./compiled-package-cache.js";
// Template rendering is TEMPLATES' folder; its JobSpec is the same shape as ours above.
export { renderJobs, archiveRenderedJobs, stopTemplateEngine, warmUpTemplateEngine } from "./templates/index.js";
export type { JobToRender, RenderContext, RenderedFile, RenderedJob, TemplateJob } from "./templates/index.js";
