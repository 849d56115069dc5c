/**
 * The shapes the template renderer consumes and produces. The input job shape is the minimal
 * part of ARTEFACTS' `ReleaseJob` that rendering needs, declared here so this folder stands on
 * its own; a `ReleaseJob` is structurally assignable to `TemplateJob`.
 */

/** A job's `job.MF`, as parsed by the release reader. */
export interface JobSpec {
  name: string;
  /** template source (relative to `<job dir>/templates/`) → destination (relative to the rendered job dir) */
  templates: Record<string, string>;
  packages: string[];
  properties: Record<string, { default?: unknown; description?: string }>;
}

/** An extracted release job: `dir` holds `job.MF`, `monit` and `templates/`. */
export interface TemplateJob {
  name: string;
  dir: string;
  spec: JobSpec;
}

/**
 * What one render needs to know about the instance: the facts bosh-cli's create-env puts in
 * `spec` (create-env ref §4.5; it always renders index 0, az "unknown", bootstrap true) and the
 * manifest's global and instance-group properties. bosh-cli shows templates no instance-group
 * name, real networks, disk size or release; neither do we, so a template renders the same.
 */
export interface RenderContext {
  deployment: string;
  index: number;
  az: string;
  /** IP of the default network; omitted from `spec` when absent, as bosh-cli does. */
  address?: string;
  bootstrap: boolean;
  globalProperties: Record<string, unknown>;
  instanceGroupProperties: Record<string, unknown>;
  /** Ends a render in progress (its Ruby process with it). */
  signal?: AbortSignal | undefined;
  /**
   * Where ERB runs; the embedded Ruby's own process when absent. Unit tests, which may start no
   * process, run the same Ruby on their own thread.
   */
  erb?: ErbRunner | undefined;
}

/** Renders one job's ERB templates: (context JSON, templates JSON) to results JSON (erb-evaluator-rb.ts); rejects with a RubyFailure when Ruby itself broke. */
export type ErbRunner = (contextJson: string, templatesJson: string, signal?: AbortSignal) => Promise<string>;

/** One job of the instance group to render. `properties` null/absent = the job has no `properties` key. */
export interface JobToRender {
  job: TemplateJob;
  release: { name: string; version: string };
  properties: Record<string, unknown> | null;
}

export interface RenderedFile {
  /** relative to the rendered job dir, e.g. "monit", "bin/ctl", "config/director.yml" */
  path: string;
  content: Buffer;
  mode: number;
}

export interface RenderedJob {
  name: string;
  files: RenderedFile[];
}
