/**
 * Hostile templates: a job template is code from a release, run on the operator's machine. Each
 * case tries one way out of the embedded Ruby (the JS bridge, processes, the host's files, its
 * environment, the network) and would leave a trace if it got out: a file on the host, or a
 * secret of the host (an environment variable, a vars store) in the output or the error. Each
 * must end in a template error that says what was refused, or in harmless output, and no trace.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isBootstrapError } from "../../src/common/index.js";
import { renderJobs } from "../../src/director-release/templates/index.js";
import { renderContext, toRender, writeJob } from "./job-fixture.js";

const CANARY_VAR = "BOOTSTRAP_HOSTILE_CANARY";
const canary = `canary-secret-${randomUUID()}`;
let dir = "";
/** A host path each case's template tries to create; it must never exist afterwards. */
let marker = "";
/** A vars store as the operator keeps one, next to the manifest. */
let varsStore = "";

beforeAll(async () => {
  process.env[CANARY_VAR] = canary;
  dir = await mkdtemp(join(tmpdir(), "hostile-templates-"));
  varsStore = join(dir, "creds.yml");
  await writeFile(varsStore, `admin_password: ${canary}\n`);
});

afterEach(async () => {
  expect(existsSync(marker), `the template created ${marker} on the host`).toBe(false);
  expect(await readFile(varsStore, "utf8")).toBe(`admin_password: ${canary}\n`);
  await rm(marker, { recursive: true, force: true });
});

afterAll(async () => {
  delete process.env[CANARY_VAR];
  await rm(dir, { recursive: true, force: true });
});

type Outcome = { output: string } | { error: string };

/** Renders one template; __MARKER__, __VARS__ and __HOME__ in it become those paths as Ruby string literals. */
async function render(text: string): Promise<Outcome> {
  marker = join(dir, `marker-${randomUUID()}`);
  const paths: Record<string, string> = { MARKER: marker, VARS: varsStore, HOME: homedir() };
  const source = text.replace(/__(MARKER|VARS|HOME)__/g, (_all, name: string) => JSON.stringify(paths[name]));
  const job = await writeJob({ name: "hostile", templates: { "t.erb": ["t", source] }, monit: "" });
  try {
    const [rendered] = await renderJobs([toRender(job)], renderContext());
    return { output: rendered?.files.find((f) => f.path === "t")?.content.toString() ?? "" };
  } catch (error) {
    if (!isBootstrapError(error)) throw error;
    expect(error.code).toBe("TEMPLATE_RENDER_FAILED");
    return { error: [error.message, ...error.details].join("\n") };
  } finally {
    await rm(job.dir, { recursive: true, force: true });
  }
}

function expectRefused(outcome: Outcome, reason: RegExp): void {
  expect(outcome).toEqual({ error: expect.stringMatching(reason) as unknown });
  expect(JSON.stringify(outcome)).not.toContain(canary);
}

function expectHarmless(outcome: Outcome, output: string): void {
  expect(outcome).toEqual({ output });
}

describe("hostile templates: the JS bridge", () => {
  it.each([
    ["require 'js'", `<% require "js" %>loaded`],
    ["require 'js.so'", `<% require "js.so" %>loaded`],
    ["load of the js gem's file", `<% load Dir.glob("/bundle/gems/js-*/lib/js.rb").first.to_s %>loaded`],
  ])("refuses to load the bridge: %s", async (_name, text) => {
    expectRefused(await render(text), /LoadError: .*JS bridge/);
  });

  it.each([
    ["JS.global", `<%= JS.global[:process][:env][:${CANARY_VAR}] %>`],
    ["JS.eval", `<%= JS.eval("return process.env.${CANARY_VAR}") %>`],
  ])("has no JS constant: %s", async (_name, text) => {
    expectRefused(await render(text), /NameError: uninitialized constant .*JS/);
  });

  it("refuses Kernel's own require too", async () => {
    const text = `<% m = Kernel.instance_method(:require); m = m.super_method until m.owner == Kernel; m.bind_call(self, "js") %>loaded`;
    expectRefused(await render(text), /LoadError: .*JS bridge/);
  });

  it("gives the bridge nothing to call even to a template past Ruby's refusal", async () => {
    // Ruby cannot guard Ruby: ObjectSpace finds the original require the refusal keeps, and
    // loads the bridge's C part. Its first call into JavaScript must find nothing to call.
    const original = `ObjectSpace.each_object(UnboundMethod).find { |u| u.name == :require && u.owner == Kernel && u.source_location.nil? }`;
    const text =
      `<% ${original}.bind_call(self, "js.so") %>` +
      `<%= JS.global[:process].call(:getBuiltinModule, "fs").call(:writeFileSync, __MARKER__, "pwned") %>` +
      `<%= JS.eval("return process.env.${CANARY_VAR}") %>`;
    expectRefused(await render(text), /RubyVMError: job templates cannot use the JS bridge/);
    // The VM that made the call is not used again; the next render gets a fresh one.
    expectHarmless(await render(`<%= 1 + 1 %>`), "2");
  });
});

describe("hostile templates: processes", () => {
  it.each([
    ["system", `<%= system("touch", __MARKER__).inspect %>`],
    ["backticks", "<%= `touch #{__MARKER__}` %>"],
    ["%x", "<%= %x(touch #{__MARKER__}) %>"],
    ["spawn", `<%= Process.wait(spawn("touch", __MARKER__)) %>`],
    ["Process.spawn", `<%= Process.wait(Process.spawn("touch", __MARKER__)) %>`],
    ["IO.popen", `<%= IO.popen(["touch", __MARKER__]).read %>`],
    ["open with a pipe", `<%= open("|touch " + __MARKER__).read %>`],
    ["fork", `<%= fork { File.write(__MARKER__, "x") }.inspect %>`],
    ["exec", `<% exec("touch", __MARKER__) %>`],
  ])("starts none: %s", async (_name, text) => {
    expectRefused(await render(text), /SecurityError: job templates cannot start processes/);
  });

  it("starts none: Open3 (its pipe fails first: WASI has no pipes)", async () => {
    const text = `<% require "open3" %><%= Open3.capture2("touch", __MARKER__).inspect %>`;
    expectRefused(await render(text), /Errno::ENOTSUP/);
  });
});

describe("hostile templates: the host's files", () => {
  it.each([
    ["/etc/passwd", `<%= File.read("/etc/passwd") %>`],
    ["the vars store", `<%= File.read(__VARS__) %>`],
    ["a file in $HOME by ~", `<%= File.read(File.expand_path("~/.ssh/id_rsa")) %>`],
    ["$HOME's listing", `<%= Dir.children(__HOME__).inspect %>`],
    ["the template's own release job", `<%= Dir.children(Dir.pwd).inspect %>`],
  ])("reads none: %s", async (_name, text) => {
    expectRefused(await render(text), /Errno::ENOENT|ArgumentError: couldn't find HOME/);
  });

  it("finds nothing by globbing the root", async () => {
    expectHarmless(await render(`<%= Dir.glob("/**/*").grep_v(%r{\\A/(usr|bundle)/}).inspect %>`), "[]");
  });

  it("reads nothing from the operator's stdin", async () => {
    expectHarmless(await render(`<%= STDIN.read.inspect %>`), '""');
  });

  it("writes nothing through a standard stream whose descriptor the host reused", async () => {
    // given: a template makes Node's WASI close the host descriptors behind Ruby's stdio (a
    // failed reopen closes first), and the host then opens files, which get the lowest free
    // numbers, so the closed ones
    await render(`<% [STDOUT, STDERR, STDIN].each { |io| io.reopen("/nowhere/x") rescue nil } %>`);
    const victims = Array.from({ length: 8 }, (_, i) => join(dir, `victim-${i}`));
    const handles = await Promise.all(victims.map((victim) => open(victim, "w")));
    try {
      // when: a later template writes to every standard descriptor
      const writes = `<% [0, 1, 2].each { |fd| IO.for_fd(fd, autoclose: false).syswrite("pwned") rescue nil } %>ok`;
      expectHarmless(await render(writes), "ok");
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
    }
    // then: none of the host's files was written
    for (const victim of victims) expect(await readFile(victim, "utf8")).toBe("");
  });

  it.each([
    ["File.write", `<%= File.write(__MARKER__, "pwned") %>`],
    ["File.open for writing", `<% File.open(__MARKER__, "w") { |f| f << "pwned" } %>`],
    ["Dir.mkdir", `<% Dir.mkdir(__MARKER__) %>`],
    ["File.symlink", `<% File.symlink("/etc/passwd", __MARKER__) %>`],
    ["FileUtils.touch", `<% require "fileutils"; FileUtils.touch(__MARKER__) %>`],
  ])("writes none: %s", async (_name, text) => {
    expectRefused(await render(text), /Errno::ENOENT/);
  });
});

describe("hostile templates: the host's environment", () => {
  it.each([
    ["ENV.to_h", `<%= ENV.to_h.inspect %>`, "{}"],
    ["ENV[name]", `<%= ENV["${CANARY_VAR}"].inspect %>`, "nil"],
    ["ENV['PATH']", `<%= ENV["PATH"].inspect %>`, "nil"],
  ])("sees none of it: %s", async (_name, text, output) => {
    expectHarmless(await render(text), output);
  });
});

describe("hostile templates: the network", () => {
  it.each([
    ["require 'socket'", `<% require "socket" %><%= TCPSocket.new("127.0.0.1", 22).inspect %>`],
    ["Net::HTTP", `<% require "net/http" %><%= Net::HTTP.get(URI("http://127.0.0.1:1/")) %>`],
    ["open-uri", `<% require "open-uri" %><%= URI.open("http://127.0.0.1:1/").read %>`],
  ])("has none: %s", async (_name, text) => {
    expectRefused(await render(text), /LoadError: cannot load such file -- socket/);
  });

  it("has no TCPSocket without a require", async () => {
    expectRefused(await render(`<%= TCPSocket.new("127.0.0.1", 22) %>`), /NameError: uninitialized constant .*TCPSocket/);
  });
});
