import { describe, expect, it } from "vitest";
import { clearRegisteredSecrets, isBootstrapError, registerSecret, type BootstrapError } from "../../src/common/index.js";
import { renderJobs } from "../../src/director-release/templates/index.js";
import { toRender, unitRenderContext, writeJob } from "./job-fixture.js";

async function rejection(promise: Promise<unknown>): Promise<BootstrapError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isBootstrapError(error)) throw new Error(`expected a BootstrapError, got ${String(error)}`);
  return error;
}

describe("renderJobs", () => {
  it("renders every template to its destination plus monit, with bin/ executable", async () => {
    const job = await writeJob({
      templates: {
        "ctl.erb": ["bin/ctl", "#!/bin/bash\nexec director --port <%= p('port') %>\n"],
        "config/director.yml.erb": ["config/director.yml", "name: <%= spec.deployment %>\n"],
        "plain.txt": ["config/plain.txt", "no tags here\n"],
      },
      monit: "check process <%= name %>\n  group vcap\n",
      properties: { port: { default: 25555 } },
    });
    const [rendered] = await renderJobs([toRender(job)], unitRenderContext());
    expect(rendered?.name).toBe("director");
    const files = Object.fromEntries((rendered?.files ?? []).map((f) => [f.path, { text: f.content.toString(), mode: f.mode }]));
    expect(files).toEqual({
      "bin/ctl": { text: "#!/bin/bash\nexec director --port 25555\n", mode: 0o755 },
      "config/director.yml": { text: "name: bosh\n", mode: 0o644 },
      "config/plain.txt": { text: "no tags here\n", mode: 0o644 },
      monit: { text: "check process director\n  group vcap\n", mode: 0o644 },
    });
  });

  it("resolves properties per job: a job with its own properties ignores global and instance-group ones", async () => {
    const props = { "db.host": { default: "default" } };
    const a = await writeJob({ name: "a", templates: { "t.erb": ["t", "<%= p('db.host') %>"] }, monit: "", properties: props });
    const b = await writeJob({ name: "b", templates: { "t.erb": ["t", "<%= p('db.host') %>"] }, monit: "", properties: props });
    const c = await writeJob({ name: "c", templates: { "t.erb": ["t", "<%= p('db.host') %>"] }, monit: "", properties: props });
    const ctx = unitRenderContext({ globalProperties: { db: { host: "global" } }, instanceGroupProperties: { db: { host: "group" } } });
    const rendered = await renderJobs([toRender(a, null), toRender(b, { db: { host: "job" } }), toRender(c, {})], ctx);
    expect(rendered.map((r) => `${r.name}=${r.files[0]?.content.toString()}`)).toEqual(["a=group", "b=job", "c=default"]);
  });

  it("reports every failing template of every job in one error", async () => {
    const a = await writeJob({ name: "a", templates: { "x.erb": ["x", "<%= p('nope') %>"], "ok.erb": ["ok", "fine"] }, monit: "" });
    const b = await writeJob({ name: "b", templates: {}, monit: "<%= p('also.missing') %>" });
    const error = await rejection(renderJobs([toRender(a), toRender(b)], unitRenderContext()));
    expect(error.code).toBe("TEMPLATE_RENDER_FAILED");
    expect(error.message).toMatch(/^2 templates failed to render; first: Error filling in template 'x.erb' for a\/0/);
    expect(error.details).toEqual([
      "Error filling in template 'x.erb' for a/0 (line 1: Can't find property 'nope')",
      "Error filling in template 'monit' for b/0 (line 1: Can't find property 'also.missing')",
    ]);
    expect(error.hint).toContain("'nope', 'also.missing'");
  });

  it.each([["../escape"], ["/etc/passwd"], ["a/../../b"], [""]])("refuses the unsafe destination %j", async (dst) => {
    const job = await writeJob({ templates: { "t.erb": ["placeholder", "x"] }, monit: "" });
    job.spec.templates = { "t.erb": dst };
    const error = await rejection(renderJobs([toRender(job)], unitRenderContext()));
    expect(error.code).toBe("RELEASE_INVALID");
    expect(error.message).toContain(`unsafe template destination '${dst}'`);
  });

  it("refuses an unsafe template source", async () => {
    const job = await writeJob({ templates: {}, monit: "" });
    job.spec.templates = { "../../monit": "x" };
    const error = await rejection(renderJobs([toRender(job)], unitRenderContext()));
    expect(error.message).toContain("unsafe template source '../../monit'");
  });

  it("names the missing file when a job lacks its monit file or a listed template", async () => {
    const noMonit = await writeJob({ name: "nomonit", templates: {} });
    const error = await rejection(renderJobs([toRender(noMonit)], unitRenderContext()));
    expect(error.code).toBe("RELEASE_INVALID");
    expect(error.message).toContain(`Job 'nomonit' of release bootstrap-director/0.1.0 lacks ${noMonit.dir}/monit`);

    const noTemplate = await writeJob({ name: "notpl", templates: {}, monit: "" });
    noTemplate.spec.templates = { "gone.erb": "config/gone" };
    const missing = await rejection(renderJobs([toRender(noTemplate)], unitRenderContext()));
    expect(missing.message).toContain(`${noTemplate.dir}/templates/gone.erb`);
  });

  it("keeps template bytes that are not valid UTF-8 outside ERB tags", async () => {
    const job = await writeJob({ templates: {}, monit: "" });
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(`${job.dir}/templates`);
    await writeFile(`${job.dir}/templates/bin.erb`, Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    job.spec.templates = { "bin.erb": "data/bin" };
    const [rendered] = await renderJobs([toRender(job)], unitRenderContext());
    expect(rendered?.files[0]?.content).toEqual(Buffer.from([0x61, 0xff, 0xfe, 0x62]));
  });

  it("keeps the process alive when a template calls exit!, and renders the next job", async () => {
    const bad = await writeJob({ name: "bad", templates: { "t.erb": ["t", "<% Process.exit!(1) %>"] }, monit: "" });
    const error = await rejection(renderJobs([toRender(bad)], unitRenderContext()));
    expect(error.message).toContain("(line 1: SecurityError: exit! is not allowed in a job template)");
    const good = await writeJob({ name: "good", templates: { "t.erb": ["t", "<%= 1 + 1 %>"] }, monit: "" });
    const [rendered] = await renderJobs([toRender(good)], unitRenderContext());
    expect(rendered?.files[0]?.content.toString()).toBe("2");
  });

  it("redacts registered secrets from template errors", async () => {
    registerSecret("hunter2-secret");
    try {
      const job = await writeJob({ templates: { "t.erb": ["t", "<% raise 'bad password ' + p('pw') %>"] }, monit: "", properties: { pw: {} } });
      const error = await rejection(renderJobs([toRender(job, { pw: "hunter2-secret" })], unitRenderContext()));
      expect(error.message).toContain("RuntimeError: bad password <redacted>");
      expect(error.message).not.toContain("hunter2-secret");
    } finally {
      clearRegisteredSecrets();
    }
  });
});
