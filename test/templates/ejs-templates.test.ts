import { describe, expect, it } from "vitest";
import { isBootstrapError } from "../../src/common/index.js";
import { renderJobs } from "../../src/director-release/templates/index.js";
import { toRender, unitRenderContext, writeJob } from "./job-fixture.js";

const declared = { "server.port": { default: 8080 }, "server.host": {}, "server.tags": { default: { a: 1 } } };

async function renderEjs(template: string, jobProperties: Record<string, unknown> | null = {}): Promise<string> {
  const job = await writeJob({ name: "api", templates: { "config.json.ejs": ["config/config.json", template] }, monit: "", properties: declared });
  const [rendered] = await renderJobs([toRender(job, jobProperties)], unitRenderContext());
  return rendered?.files.find((f) => f.path === "config/config.json")?.content.toString("utf8") ?? "<missing>";
}

describe("ejs templates", () => {
  it.each([
    ["p of a default", "<%= p('server.port') %>", {}, "8080"],
    ["p with a default", "<%= p('server.host', '0.0.0.0') %>", {}, "0.0.0.0"],
    ["p of names", "<%= p(['server.host', 'server.port']) %>", {}, "8080"],
    ["properties struct access", "<%= properties.server.port %>", { server: { port: 1 } }, "1"],
    ["if_p yields values", "<% if_p('server.port', (port) => { %>port=<%= port %><% }) %>", {}, "port=8080"],
    ["if_p else", "<% if_p('server.host', (h) => { %>h<% }).else(() => { %>none<% }) %>", {}, "none"],
    ["else_if_p", "<% if_p('server.host', () => { %>h<% }).else_if_p('server.port', (p) => { %>p=<%= p %><% }) %>", {}, "p=8080"],
    ["spec fields, as ERB templates get them", "<%= spec.deployment %>/<%= spec.index %>/<%= spec.address %>/[<%= spec.networks.default.ip %>]/<%= spec.job.name %>/<%= spec.name %>", {}, "bosh/0/10.0.0.6/[]/api/"],
    ["properties resolved as for ERB (sorted keys, defaults merged)", "<%- JSON.stringify(properties.server) %>", { server: { host: "h" } }, '{"host":"h","port":8080,"tags":{"a":1}}'],
    ["name and index", "<%= name %>-<%= index %>", {}, "api-0"],
    ["JSON.stringify of a hash property", "<%- JSON.stringify(p('server.tags')) %>", {}, '{"a":1}'],
    ["-%> trims the newline", "a\n<% if (true) { -%>\nb\n<% } -%>\nc\n", {}, "a\nb\nc\n"],
    ["if_link is false", "<%= if_link('db') %>", {}, "false"],
  ])("%s", async (_name, template, props, expected) => {
    expect(await renderEjs(template, props)).toBe(expected);
  });

  it("fails on a missing property naming template, job, line and property", async () => {
    const error = await renderEjs("first\n<%= p('server.host') %>").catch((e: unknown) => e);
    expect(isBootstrapError(error) && error.code).toBe("TEMPLATE_RENDER_FAILED");
    expect((error as Error).message).toBe("Error filling in template 'config.json.ejs' for api/0 (line 2: Can't find property 'server.host')");
  });

  it("refuses links", async () => {
    const error = await renderEjs("<%= link('db') %>").catch((e: unknown) => e);
    expect((error as Error).message).toContain("(line 1: LinksUnsupported: Can't find link 'db': links are not supported by bootstrap");
  });
});
