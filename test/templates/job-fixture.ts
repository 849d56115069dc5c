/** Test fixtures: extracted release jobs written to a temp dir, and default render contexts. */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ErbRunner, JobToRender, RenderContext, TemplateJob } from "../../src/director-release/templates/index.js";
import { bootErbEngine, type ErbEngine } from "../../src/director-release/templates/ruby-vm.js";

export interface JobFixture {
  name?: string;
  /** src → [dst, template text] */
  templates?: Record<string, [string, string]>;
  monit?: string;
  properties?: Record<string, { default?: unknown; description?: string }>;
}

export async function writeJob(fixture: JobFixture): Promise<TemplateJob> {
  const name = fixture.name ?? "director";
  const dir = await mkdtemp(join(tmpdir(), `tpl-${name}-`));
  const templates: Record<string, string> = {};
  for (const [src, [dst, text]] of Object.entries(fixture.templates ?? {})) {
    templates[src] = dst;
    await mkdir(dirname(join(dir, "templates", src)), { recursive: true });
    await writeFile(join(dir, "templates", src), text);
  }
  if (fixture.monit !== undefined) await writeFile(join(dir, "monit"), fixture.monit);
  return { name, dir, spec: { name, templates, packages: [], properties: fixture.properties ?? {} } };
}

export function renderContext(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    deployment: "bosh",
    index: 0,
    az: "z1",
    address: "10.0.0.6",
    bootstrap: true,
    globalProperties: {},
    instanceGroupProperties: {},
    ...overrides,
  };
}

let engine: Promise<ErbEngine> | undefined;

/**
 * The embedded Ruby on the test's own thread, booted once per worker: unit files may start no
 * process. The Ruby process itself (Ctrl-C, crashes, a fresh Ruby after one) is tested by the
 * integration files (ruby-process.test.ts, hostile-templates.test.ts).
 */
const erbOnThisThread: ErbRunner = async (contextJson, templatesJson) => (await (engine ??= bootErbEngine())).render(contextJson, templatesJson);

/** renderContext() with ERB rendered on the test's thread (see erbOnThisThread). */
export function unitRenderContext(overrides: Partial<RenderContext> = {}): RenderContext {
  return renderContext({ erb: erbOnThisThread, ...overrides });
}

export function toRender(job: TemplateJob, properties: Record<string, unknown> | null = null): JobToRender {
  return { job, release: { name: "bootstrap-director", version: "0.1.0" }, properties };
}
