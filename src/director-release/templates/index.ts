/**
 * Job template rendering (public surface): ERB through an embedded CRuby (WebAssembly, no
 * `ruby` needed on the machine), `*.ejs` through ejs, and the rendered-templates archive the
 * agent installs. ARTEFACTS re-exports this from src/director-release.
 */
export { renderJobs } from "./render-jobs.js";
export { stopTemplateEngine, warmUpTemplateEngine } from "./ruby-process.js";
export { archiveRenderedJobs } from "./archive-rendered-jobs.js";
export type { ErbRunner, JobSpec, JobToRender, RenderContext, RenderedFile, RenderedJob, TemplateJob } from "./types.js";
