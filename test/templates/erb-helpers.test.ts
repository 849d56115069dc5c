import { describe, expect, it } from "vitest";
import { isBootstrapError, type BootstrapError } from "../../src/common/index.js";
import { renderJobs, type RenderContext } from "../../src/director-release/templates/index.js";
import { toRender, unitRenderContext, writeJob } from "./job-fixture.js";

const declared = {
  "director.name": { default: "bosh" },
  "director.port": { default: 25555 },
  "director.ssl.cert": {},
  "director.tags": { default: { team: "infra", env: "dev" } },
  "director.users": { default: [{ name: "admin" }, { name: "ops" }] },
  "nats.address": {},
  "blobstore.address": {},
  "quoted": { default: 'say "hi"\n' },
};

async function render(template: string, jobProperties: Record<string, unknown> | null = {}, ctx: Partial<RenderContext> = {}): Promise<string> {
  const job = await writeJob({ templates: { "t.erb": ["config/t", template] }, monit: "", properties: declared });
  const [rendered] = await renderJobs([toRender(job, jobProperties)], unitRenderContext(ctx));
  const file = rendered?.files.find((f) => f.path === "config/t");
  if (file === undefined) throw new Error("config/t was not rendered");
  return file.content.toString("utf8");
}

async function renderError(template: string, jobProperties: Record<string, unknown> | null = {}): Promise<BootstrapError> {
  const error = await render(template, jobProperties).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBootstrapError(error)) throw new Error(`expected a BootstrapError, got ${String(error)}`);
  return error;
}

describe("ERB helpers (embedded Ruby)", () => {
  it.each([
    ["p of a default", "<%= p('director.port') %>", {}, "25555"],
    ["p of a set value beats the default", "<%= p('director.port') %>", { director: { port: 8443 } }, "8443"],
    ["p with a default for an unset property", "<%= p('nats.address', '127.0.0.1') %>", {}, "127.0.0.1"],
    ["p with an explicit nil default", "<%= p('nats.address', nil).inspect %>", {}, "nil"],
    ["p of names takes the first set one", "<%= p(['nats.address', 'director.name']) %>", {}, "bosh"],
    ["p of names prefers earlier names", "<%= p(['nats.address', 'director.name']) %>", { nats: { address: "10.0.0.9" } }, "10.0.0.9"],
    ["p of a names array with a default", "<%= p(['nats.address', 'blobstore.address'], 'none') %>", {}, "none"],
    ["p of a hash default", "<%= p('director.tags')['team'] %>", {}, "infra"],
    ["a set hash replaces the default hash", "<%= p('director.tags').keys.join(',') %>", { director: { tags: { only: 1 } } }, "only"],
    ["nested struct access", "<%= properties.director.name %>:<%= properties.director.port %>", {}, "bosh:25555"],
    ["struct access to an array of hashes", "<%= properties.director.users.map(&:name).join(',') %>", {}, "admin,ops"],
    ["struct access of an unset leaf is nil", "<%= properties.nats.address.inspect %>", {}, "nil"],
    ["struct [] access", "<%= properties.director[:port] %>", {}, "25555"],
    ["if_p yields values when all are set", "<% if_p('director.name', 'director.port') do |n, port| %><%= n %>@<%= port %><% end %>", {}, "bosh@25555"],
    ["if_p skips when one is unset", "<% if_p('director.name', 'nats.address') do |n, a| %>yes<% end %>", {}, ""],
    ["if_p ... else runs else when unset", "<% if_p('nats.address') do |a| %>yes<% end.else do %>no<% end %>", {}, "no"],
    ["if_p ... else skips else when set", "<% if_p('nats.address') do |a| %><%= a %><% end.else do %>no<% end %>", { nats: { address: "n" } }, "n"],
    ["else_if_p chains to the next set property", "<% if_p('nats.address') do %>a<% end.else_if_p('director.name') do |n| %>b=<%= n %><% end %>", {}, "b=bosh"],
    ["else_if_p ... else", "<% if_p('nats.address') do %>a<% end.else_if_p('blobstore.address') do %>b<% end.else do %>c<% end %>", {}, "c"],
    ["else_if_p after a taken branch is inert", "<% if_p('director.name') do %>a<% end.else_if_p('director.port') do %>b<% end.else do %>c<% end %>", {}, "a"],
    ["undeclared properties are invisible", "<%= p('undeclared', 'fallback') %>", { undeclared: "set" }, "fallback"],
    ["JSON.dump of a string is its inspect", "<%= JSON.dump(p('quoted')) %>", {}, '"say \\"hi\\"\\n"'],
    ["JSON.dump of a number", "<%= JSON.dump(p('director.port')) %>", {}, "25555"],
    // Hash keys come in Go's order (sorted), whatever the YAML's order was.
    ["JSON.dump of a hash", "<%= JSON.dump(p('director.tags')) %>", {}, '{"env":"dev","team":"infra"}'],
    ["to_json on hashes", "<%= p('director.tags').to_json %>", {}, '{"env":"dev","team":"infra"}'],
    ["to_yaml", "<%= p('director.users').to_yaml %>", {}, "---\n- name: admin\n- name: ops\n"],
    ["-%> trims the newline", "a\n<% if true -%>\nb\n<% end -%>\nc\n", {}, "a\nb\nc\n"],
    ["<%- trims leading indentation", "a\n  <%- if true -%>\nb\n  <%- end -%>\n", {}, "a\nb\n"],
    ["without - the newline stays", "a\n<% if true %>\nb\n<% end %>\n", {}, "a\n\nb\n\n"],
    ["YAML.dump", "<%= YAML.dump({'a' => [1]}) %>", {}, "---\na:\n- 1\n"],
    ["Gem::Version without a require, as under bosh-cli's RubyGems", "<%= Gem::Version.new('1.10') > Gem::Version.new('1.9') %>", {}, "true"],
    ["bundled pure-Ruby gems can be required", "<% require 'base64' %><%= Base64.strict_encode64(p('director.name')) %>", {}, "Ym9zaA=="],
    ["UTF-8 survives", "héllo <%= p('director.name') %> ✓", {}, "héllo bosh ✓"],
    ["if_link is false, as in bosh-cli", "<%= if_link('db').inspect %>", {}, "false"],
    ["if if_link(...) takes the else branch", "<% if if_link('db') %>link<% else %>no link<% end %>", {}, "no link"],
    ["properties is an OpenStruct", "<%= properties.class %> <%= properties.director.to_h.keys.first.inspect %>", {}, "OpenStruct :name"],
    ["a member named like an Object method reads the property", "<%= properties.director.tags.hash %>", { director: { tags: { hash: "h" } } }, "h"],
    ["templates cannot print to the CLI's output", "<% puts 'noise'; warn 'noise' %>ok", {}, "ok"],
  ])("%s", async (_name, template, jobProperties, expected) => {
    expect(await render(template, jobProperties)).toBe(expected);
  });

  // bosh-cli's create-env context, field for field (checked against the binary by test/interop/rendering.test.ts).
  it.each([
    ["spec.deployment", "bosh"],
    ["spec.index", "0"],
    ["spec.az", "z1"],
    ["spec.address", "10.0.0.6"],
    ["spec.bootstrap", "true"],
    ["spec.job.name", "director"],
    ["spec.networks.to_h.keys.inspect", "[:default]"],
    ["spec.networks.default.to_h.inspect.delete(' ')", '{ip:"",netmask:"",gateway:""}'],
    ["spec.name.inspect", "nil"],
    ["spec.ip.inspect", "nil"],
    ["spec.release.inspect", "nil"],
    ["spec.persistent_disk.inspect", "nil"],
    ["spec.properties.inspect", "nil"],
    ["spec.job_properties.director.port", "8443"],
    ["spec.default_properties['director.port']", "25555"],
    ["spec.to_h.keys.join(',')", "index,id,az,bootstrap,job,deployment,address,networks,global_properties,cluster_properties,job_properties,default_properties"],
    ["name", "director"],
    ["index", "0"],
  ])("<%%= %s %%>", async (expression, expected) => {
    expect(await render(`<%= ${expression} %>`, { director: { port: 8443 } })).toBe(expected);
  });

  it("gives each template its own fresh spec.id, a UUID, as bosh-cli does", async () => {
    const job = await writeJob({ templates: { "a.erb": ["a", "<%= spec.id %>"], "b.erb": ["b", "<%= spec.id %>"] }, monit: "", properties: declared });
    const [rendered] = await renderJobs([toRender(job)], unitRenderContext());
    const [a, b] = ["a", "b"].map((path) => rendered?.files.find((f) => f.path === path)?.content.toString());
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  it("omits spec.address when the address is unknown", async () => {
    expect(await render("<%= spec.address.inspect %> <%= spec.to_h.key?(:address) %>", {}, { address: "" })).toBe("nil false");
  });

  it("fails on a missing property naming template, job, release, instance, line and property", async () => {
    const error = await renderError("line one\n<%= p('director.ssl.cert') %>\n");
    expect(error.code).toBe("TEMPLATE_RENDER_FAILED");
    // bosh-cli's words, with the template's source name where it shows a temporary path.
    expect(error.message).toBe("Error filling in template 't.erb' for director/0 (line 2: Can't find property 'director.ssl.cert')");
    expect(error.hint).toContain("'director.ssl.cert'");
    expect(error.hint).toContain("job 'director' is from release bootstrap-director/0.1.0");
  });

  it("names every alternative of a p(names) that finds none", async () => {
    const error = await renderError("<%= p(['nats.address', 'blobstore.address']) %>");
    expect(error.message).toContain("Can't find property 'nats.address', or 'blobstore.address'");
  });

  it("refuses links with a clear message", async () => {
    const error = await renderError("a\nb\n<%= link('database').address %>");
    expect(error.message).toContain("(line 3: LinksUnsupported: Can't find link 'database': links are not supported by bootstrap");
  });

  it("reports Ruby errors with their class and line", async () => {
    const error = await renderError("<%= 1 %>\n<%= properties.nats.address.upcase %>");
    expect(error.message).toContain("(line 2: NoMethodError: undefined method 'upcase' for nil)");
  });

  it("reports syntax errors briefly with their line", async () => {
    const error = await renderError("ok\n<% if %>\n");
    expect(error.message).toMatch(/\(line 2: SyntaxError: t\.erb:2: syntax errors? found/);
    expect(error.message).not.toContain("_erbout");
  });

  it("isolates templates: a local variable or instance variable of one is not seen by the next", async () => {
    const job = await writeJob({
      templates: { "a.erb": ["a", "<% x = 1; @y = 2 %>a"], "b.erb": ["b", "<%= defined?(x).inspect %> <%= @y.inspect %>"] },
      monit: "",
      properties: declared,
    });
    const [rendered] = await renderJobs([toRender(job)], unitRenderContext());
    expect(rendered?.files.find((f) => f.path === "b")?.content.toString()).toBe("nil nil");
  });
});
