/**
 * Turns failed templates into one TEMPLATE_RENDER_FAILED error that names, for each failure,
 * the template, job, release, instance, template line and (for missing properties) the
 * property, in bosh-cli's "Error filling in template" wording. Pure.
 */
import { BootstrapError, redact } from "../../common/index.js";
import type { TemplateFailure } from "./render-erb.js";

export interface FailedTemplate {
  template: string;
  job: string;
  release: { name: string; version: string };
  instance: string;
  failure: TemplateFailure;
}

export function describeFailure(f: FailedTemplate): string {
  const where = f.failure.line === null ? "line unknown" : `line ${f.failure.line}`;
  return (
    `Error filling in template '${f.template}' of job '${f.job}' (release ${f.release.name}/${f.release.version}) ` +
    `for ${f.instance} (${where}: ${shortMessage(f.failure)})`
  );
}

export function templateRenderError(failures: FailedTemplate[]): BootstrapError {
  const lines = failures.map((f) => redact(describeFailure(f)));
  const missing = [...new Set(failures.flatMap((f) => f.failure.properties))];
  const hint =
    missing.length > 0
      ? `Set ${missing.map((m) => `'${m}'`).join(", ")} in the manifest (under the job's properties, or under ` +
        `global/instance-group properties when the job has no properties key), or give it a default in the job spec.`
      : "Fix the template or the property values it reads; line numbers count from the top of the template file.";
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
