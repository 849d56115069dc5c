/**
 * renderJobs: renders every job of an instance group as bosh-cli does for create-env — each
 * `templates` entry of job.MF (src under `<job dir>/templates/`, dst relative to the rendered
 * job) plus the job's `monit` file — with properties resolved per job (resolve-properties.ts)
 * and the instance's `spec` (template-spec.ts). `*.ejs` sources render with ejs, all others
 * (the monit file included) as ERB in the embedded Ruby.
 *
 * Every job and template is attempted; all failures come back in one TEMPLATE_RENDER_FAILED.
 * Files under bin/ get mode 0755, others 0644 (the agent sets its own modes on install).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BootstrapError } from "../../common/index.js";
import { renderEjsTemplates } from "./render-ejs.js";
import { renderErbTemplates, type ErbContext, type TemplateOutcome, type TemplateSource } from "./render-erb.js";
import { resolveJobProperties } from "./resolve-properties.js";
import { templateRenderError, type FailedTemplate } from "./template-failure.js";
import { buildTemplateSpec } from "./template-spec.js";
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
    const properties = resolveJobProperties(job.spec, {
      global: ctx.globalProperties,
      instanceGroup: ctx.instanceGroupProperties,
      job: entry.properties,
    });
    const context: ErbContext = { spec: buildTemplateSpec(job.name, release, ctx, properties), properties };
    const planned = await readJobTemplates(entry);
    const outcomes = await renderPlanned(context, planned);
    const files: RenderedFile[] = [];
    planned.forEach((file, i) => {
      const outcome = outcomes[i] as TemplateOutcome;
      if (outcome.ok) files.push({ path: file.destination, content: outcome.content, mode: modeFor(file.destination) });
      else failures.push({ template: file.source, job: job.name, release, instance: `${ctx.instanceGroup}/${ctx.index}`, failure: outcome.failure });
    });
    rendered.push({ name: job.name, files });
  }
  if (failures.length > 0) throw templateRenderError(failures);
  return rendered;
}

async function renderPlanned(context: ErbContext, planned: PlannedFile[]): Promise<TemplateOutcome[]> {
  const source = (f: PlannedFile): TemplateSource => ({ name: f.source, text: f.text });
  const erb = planned.filter((f) => f.engine === "erb");
  const ejs = planned.filter((f) => f.engine === "ejs");
  const erbOutcomes = await renderErbTemplates(context, erb.map(source));
  const ejsOutcomes = renderEjsTemplates(context, ejs.map(source));
  return planned.map((f) => (f.engine === "erb" ? erbOutcomes[erb.indexOf(f)] : ejsOutcomes[ejs.indexOf(f)]) as TemplateOutcome);
}

async function readJobTemplates({ job, release }: JobToRender): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const [src, dst] of Object.entries(job.spec.templates)) {
    checkSafePath(src, "template source", job.name, release);
    checkSafePath(dst, "template destination", job.name, release);
    const text = await readJobFile(join(job.dir, "templates", src), job.name, release);
    planned.push({ source: src, destination: dst, engine: src.endsWith(".ejs") ? "ejs" : "erb", text });
  }
  const monit = await readJobFile(join(job.dir, "monit"), job.name, release);
  planned.push({ source: "monit", destination: "monit", engine: "erb", text: monit });
  return planned;
}

export function modeFor(destination: string): number {
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

async function readJobFile(path: string, job: string, release: { name: string; version: string }): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new BootstrapError("RELEASE_INVALID", `Job '${job}' of release ${release.name}/${release.version} lacks ${path}`, {
      hint: "Every job needs a monit file and each template listed in job.MF; rebuild the release or use another version.",
      cause: error,
    });
  }
}
