import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBootstrapError } from "../../src/common/index.js";
import { archiveRenderedJobs, type RenderedJob } from "../../src/director-release/templates/index.js";

const longName = `config/${"d".repeat(60)}/${"f".repeat(60)}.yml`;

const jobs: RenderedJob[] = [
  {
    name: "director",
    files: [
      { path: "monit", content: Buffer.from("check process director\n"), mode: 0o644 },
      { path: "bin/ctl", content: Buffer.from("#!/bin/bash\necho hi\n"), mode: 0o755 },
      { path: "config/director.yml", content: Buffer.from("port: 25555\n"), mode: 0o644 },
      { path: longName, content: Buffer.from("long\n"), mode: 0o644 },
    ],
  },
  { name: "health_monitor", files: [{ path: "monit", content: Buffer.alloc(0), mode: 0o644 }] },
];

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "tpl-archive-"));
}

describe("archiveRenderedJobs", () => {
  it("writes a gzip tarball with one top-level directory per job, listed by the system tar", async () => {
    const dir = await tempDir();
    const out = join(dir, "rendered.tgz");
    const digests = await archiveRenderedJobs(jobs, out);

    const listing = execFileSync("tar", ["-tzf", out], { encoding: "utf8" }).trim().split("\n");
    expect(listing).toEqual([
      "director/",
      "director/bin/",
      "director/bin/ctl",
      "director/config/",
      `director/config/${"d".repeat(60)}/`,
      `director/${longName}`,
      "director/config/director.yml",
      "director/monit",
      "health_monitor/",
      "health_monitor/monit",
    ]);

    const bytes = await readFile(out);
    expect(digests).toEqual({
      sha1: createHash("sha1").update(bytes).digest("hex"),
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  });

  it("extracts to the rendered files with their content and modes", async () => {
    const dir = await tempDir();
    const out = join(dir, "rendered.tgz");
    await archiveRenderedJobs(jobs, out);
    const into = join(dir, "x");
    await mkdir(into);
    execFileSync("tar", ["-xzf", out, "-C", into]);

    expect(await readFile(join(into, "director/bin/ctl"), "utf8")).toBe("#!/bin/bash\necho hi\n");
    expect(await readFile(join(into, "director", longName), "utf8")).toBe("long\n");
    expect(await readFile(join(into, "health_monitor/monit"), "utf8")).toBe("");
    expect((await stat(join(into, "director/bin/ctl"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(into, "director/config/director.yml"))).mode & 0o777).toBe(0o644);
    expect((await stat(join(into, "director/config"))).isDirectory()).toBe(true);
  });

  it("is deterministic: the same jobs in any order give the same bytes", async () => {
    const dir = await tempDir();
    const first = await archiveRenderedJobs(jobs, join(dir, "a.tgz"));
    const shuffled = [...jobs].reverse().map((j) => ({ ...j, files: [...j.files].reverse() }));
    const second = await archiveRenderedJobs(shuffled, join(dir, "b.tgz"));
    expect(second).toEqual(first);
    const changed = await archiveRenderedJobs([{ name: "director", files: [{ path: "monit", content: Buffer.from("x"), mode: 0o644 }] }], join(dir, "c.tgz"));
    expect(changed.sha256).not.toBe(first.sha256);
  });

  it.each<[string, RenderedJob[]]>([
    ["a duplicate job", [{ name: "a", files: [] }, { name: "a", files: [] }]],
    ["a file rendered twice", [{ name: "a", files: [{ path: "x", content: Buffer.from("1"), mode: 0o644 }, { path: "x", content: Buffer.from("2"), mode: 0o644 }] }]],
    ["an escaping path", [{ name: "a", files: [{ path: "../x", content: Buffer.from("1"), mode: 0o644 }] }]],
    ["a job name with a slash", [{ name: "a/b", files: [] }]],
  ])("refuses %s", async (_name, bad) => {
    const error = await archiveRenderedJobs(bad, join(await tempDir(), "bad.tgz")).catch((e: unknown) => e);
    expect(isBootstrapError(error) && error.code).toBe("TEMPLATE_RENDER_FAILED");
  });
});
