/**
 * renderJobs: renders every job of an instance group as bosh-cli does for create-env — each
 * `templates` entry of job.MF (src under `<job dir>/templates/`, dst relative to the rendered
 * job) plus the job's `monit` file — from bosh-cli's context (template-context.ts), whose
 * properties the embedded Ruby resolves per job. `*.ejs` sources render with ejs, all others
 * (the monit file included) as ERB in the embedded Ruby.
 *
 * Every job and template is attempted; all failures come back in one TEMPLATE_RENDER_FAILED.
 * Files under bin/ get mode 0755, others 0644 (bosh-cli leaves every file 0644 and the agent
 * makes bin/ executable on install; ours are ready to run as they are).
 *
 * Templates and monit come from an untrusted job archive: they are read without following links
 * (readExtractedFile), so a link planted there cannot hand a file of the operator's to the VM.
 */
import { join } from "node:path";
import { readExtractedFile } from "../../artefacts/index.js";
import { BootstrapError } from "../../common/index.js";
import { renderEjsTemplates } from "./render-ejs.js";
import { renderErbTemplates, type TemplateFailure, type TemplateOutcome, type TemplateSource } from "./render-erb.js";
import { templateContextJson } from "./template-context.js";
import { templateRenderError, type FailedTemplate } from "./template-failure.js";
import type { JobToRender, RenderContext, RenderedFile, RenderedJob } from "./types.js";

interface PlannedFile {
  /** name in errors: the template's src, or "monit" */
  source: string;
  destination: string;
  engine: "erb" | "ejs";
  text: Buffer;
}

export async function renderJobs(jobs: JobToRender[], ctx: RenderContext): Promise<RenderedJob[]> {
  const rendered: RenderedJob[] = [];
  const failures: FailedTemplate[] = [];
  for (const entry of jobs) {
    const { job, release } = entry;
    const planned = await readJobTemplates(entry);
    const outcomes = await renderPlanned(templateContextJson(job.name, job.spec, ctx, entry.properties), planned, ctx);
    const files: RenderedFile[] = [];
    planned.forEach((file, i) => {
      const outcome = outcomes[i] as TemplateOutcome;
      if (outcome.ok) files.push({ path: file.destination, content: outcome.content, mode: modeFor(file.destination) });
      else failures.push({ template: file.source, job: job.name, release, index: ctx.index, failure: outcome.failure });
    });
    rendered.push({ name: job.name, files });
  }
  if (failures.length > 0) throw templateRenderError(failures);
  return rendered;
}

async function renderPlanned(contextJson: string, planned: PlannedFile[], ctx: RenderContext): Promise<TemplateOutcome[]> {
  const source = (f: PlannedFile): TemplateSource => ({ name: f.source, text: f.text });
  const erb = planned.filter((f) => f.engine === "erb");
  const ejs = planned.filter((f) => f.engine === "ejs");
  // The monit file is ERB, so Ruby always runs and resolves the properties ejs templates use.
  const { outcomes: erbOutcomes, resolved } = await renderErbTemplates(contextJson, erb.map(source), ctx.signal, ctx.erb);
  const ejsOutcomes: TemplateOutcome[] =
    resolved === null ? ejs.map(() => ({ ok: false, failure: UNRESOLVED })) : renderEjsTemplates(resolved, ejs.map(source));
  return planned.map((f) => (f.engine === "erb" ? erbOutcomes[erb.indexOf(f)] : ejsOutcomes[ejs.indexOf(f)]) as TemplateOutcome);
}

const UNRESOLVED: TemplateFailure = {
  errorClass: "PropertiesUnresolved",
  message: "the job's properties could not be resolved (see the job's ERB failures)",
  line: null,
  properties: [],
};

async function readJobTemplates({ job, release }: JobToRender): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const [src, dst] of Object.entries(job.spec.templates)) {
    checkSafePath(src, "template source", job.name, release);
    checkSafePath(dst, "template destination", job.name, release);
    const text = await readJobFile(job.dir, `templates/${src}`, job.name, release);
    planned.push({ source: src, destination: dst, engine: src.endsWith(".ejs") ? "ejs" : "erb", text });
  }
  const monit = await readJobFile(job.dir, "monit", job.name, release);
  planned.push({ source: "monit", destination: "monit", engine: "erb", text: monit });
  return planned;
}

function modeFor(destination: string): number {
  return destination.startsWith("bin/") ? 0o755 : 0o644;
}

/** A relative path that stays inside its directory: no absolute path, no `..`, no empty or `.` segment. */
export function isSafeRelativePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function checkSafePath(path: string, what: string, job: string, release: { name: string; version: string }): void {
  if (isSafeRelativePath(path)) return;
  throw new BootstrapError("RELEASE_INVALID", `Job '${job}' of release ${release.name}/${release.version} has an unsafe ${what} '${path}' in job.MF`, {
    hint: "Template paths must be relative and stay inside the job; fix the release or use another version.",
  });
}

async function readJobFile(jobDir: string, file: string, job: string, release: { name: string; version: string }): Promise<Buffer> {
  const what = `'${file}' of job '${job}' of release ${release.name}/${release.version}`;
  try {
    return await readExtractedFile(jobDir, file, what);
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // UNSAFE_ARCHIVE, ARCHIVE_TOO_LARGE
    throw new BootstrapError("RELEASE_INVALID", `Job '${job}' of release ${release.name}/${release.version} lacks ${join(jobDir, file)}`, {
      hint: "Every job needs a monit file and each template listed in job.MF; rebuild the release or use another version.",
      cause: error,
    });
  }
}
