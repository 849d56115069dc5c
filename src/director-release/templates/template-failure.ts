/**
 * Turns failed templates into one TEMPLATE_RENDER_FAILED error that names, for each failure,
 * the template, job and index, template line and (for missing properties) the property, in
 * bosh-cli's words ("Error filling in template 'SRC' for JOB/INDEX (line N: MESSAGE)"), with
 * the template's source name where bosh-cli shows a temporary path. Pure.
 */
import { BootstrapError, redact } from "../../common/index.js";
import type { TemplateFailure } from "./render-erb.js";

export interface FailedTemplate {
  template: string;
  job: string;
  release: { name: string; version: string };
  /** the instance index (bosh-cli names the job and index, not the instance group) */
  index: number;
  failure: TemplateFailure;
}

function describeFailure(f: FailedTemplate): string {
  const where = f.failure.line === null ? "line unknown" : `line ${f.failure.line}`;
  return `Error filling in template '${f.template}' for ${f.job}/${f.index} (${where}: ${shortMessage(f.failure)})`;
}

export function templateRenderError(failures: FailedTemplate[]): BootstrapError {
  const lines = failures.map((f) => redact(describeFailure(f)));
  const missing = [...new Set(failures.flatMap((f) => f.failure.properties))];
  const releases = [...new Set(failures.map((f) => `job '${f.job}' is from release ${f.release.name}/${f.release.version}`))].join(", ");
  const hint =
    missing.length > 0
      ? `Set ${missing.map((m) => `'${m}'`).join(", ")} in the manifest (under the job's properties, or under ` +
        `global/instance-group properties when the job has no properties key), or give it a default in the job spec (${releases}).`
      : `Fix the template or the property values it reads; line numbers count from the top of the template file (${releases}).`;
  const message = lines.length === 1 ? (lines[0] as string) : `${lines.length} templates failed to render; first: ${lines[0]}`;
  return new BootstrapError("TEMPLATE_RENDER_FAILED", message, { hint, details: lines.length > 1 ? lines : [] });
}

/** Ruby's syntax errors quote the compiled template; keep the headline and the pointer lines. */
function shortMessage(failure: TemplateFailure): string {
  const base = failure.errorClass === "UnknownProperty" ? failure.message : `${failure.errorClass}: ${failure.message}`;
  if (failure.errorClass !== "SyntaxError") return base;
  const [headline = "", ...rest] = base.split("\n");
  const pointers = rest.filter((line) => /^\s*\|\s*\^/.test(line)).map((line) => line.replace(/^\s*\|\s*/, ""));
  return [headline, ...pointers].join("; ");
}
