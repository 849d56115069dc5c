/**
 * The attack end to end: a release whose job template is a chain of links, each
 * harmless on its own, that ends at a file of the operator's outside the tarball. The release
 * must be refused while it is extracted, before any template is read or rendered, so the file
 * never reaches a rendered job (and the VM). Links where a release never has one (a template,
 * job.MF) are refused even when they stay inside.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractRelease, renderJobs, type RenderContext } from "../../src/director-release/index.js";
import { gzipTar, type HeaderSpec } from "../artefacts/hostile-tarballs.js";
import { unitRenderContext } from "../templates/job-fixture.js";

const SECRET = "operator's private key: hunter2";
const ctx: RenderContext = unitRenderContext({ deployment: "d" });
const JOB_SPEC = "---\nname: web\ntemplates:\n  config.erb: config/app.conf\npackages: []\nproperties: {}\n";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "hostile-release-"));
  writeFileSync(join(root, "secret.txt"), SECRET);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A release with one job `web` made of `jobEntries`; extracted to `<root>/work`, the job lands in `<root>/work/jobs/web`. */
function releaseWithJob(jobEntries: HeaderSpec[]): string {
  const job = gzipTar(jobEntries);
  const sha1 = createHash("sha1").update(job).digest("hex");
  const manifest = `name: demo\nversion: "1"\ncommit_hash: abc\nuncommitted_changes: false\njobs:\n- name: web\n  version: v1\n  fingerprint: v1\n  sha1: ${sha1}\npackages: []\n`;
  const tarball = join(root, "demo-1.tgz");
  writeFileSync(tarball, gzipTar([{ path: "release.MF", content: manifest }, { path: "jobs/web.tgz", content: job }]));
  return tarball;
}

/** Extract, then render as a deploy would; the error, or what was rendered. */
async function extractAndRender(tarball: string): Promise<unknown> {
  try {
    const release = await extractRelease(tarball, join(root, "work"));
    return await renderJobs(release.jobs.map((job) => ({ job, release, properties: null })), ctx);
  } catch (error) {
    return error;
  }
}

describe("a hostile release", () => {
  it("is refused while extracting when a job template is a link chain to a file outside", async () => {
    // given: config.erb -> ../up3/secret.txt looks inside; up3 -> up2/.. -> up/.. -> a/b/.. really climbs
    // from <root>/work/jobs/web to <root>, one link at a time (node-tar checks each only lexically)
    const tarball = releaseWithJob([
      { path: "job.MF", content: JOB_SPEC },
      { path: "monit", content: "" },
      { path: "templates/config.erb", type: "2", linkpath: "../up3/secret.txt" },
      { path: "a/b", type: "2", linkpath: ".." },
      { path: "up", type: "2", linkpath: "a/b/.." },
      { path: "up2", type: "2", linkpath: "up/.." },
      { path: "up3", type: "2", linkpath: "up2/.." },
    ]);
    // when
    const outcome = await extractAndRender(tarball);
    // then: refused naming the job archive and the link, and the secret is nowhere in the answer
    expect(JSON.stringify(outcome)).not.toContain("hunter2");
    expect(outcome).toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("web.tgz") });
    expect((outcome as Error).message).toMatch(/up3?: symbolic link .* outside the archive/);
  });

  it("is refused before rendering when a job template is a link, even one that stays inside", async () => {
    const tarball = releaseWithJob([
      { path: "job.MF", content: JOB_SPEC },
      { path: "monit", content: "" },
      { path: "notes.txt", content: "not a template" },
      { path: "templates/config.erb", type: "2", linkpath: "../notes.txt" },
    ]);
    const outcome = await extractAndRender(tarball);
    expect(outcome).toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("'templates/config.erb' of job 'web'") });
    expect((outcome as Error).message).toContain("is a symbolic link");
  });

  it("is refused when job.MF is a link", async () => {
    const tarball = releaseWithJob([
      { path: "spec.yml", content: JOB_SPEC },
      { path: "job.MF", type: "2", linkpath: "spec.yml" },
      { path: "monit", content: "" },
      { path: "templates/config.erb", content: "x" },
    ]);
    await expect(extractAndRender(tarball)).resolves.toMatchObject({ code: "UNSAFE_ARCHIVE", message: expect.stringContaining("job.MF of job 'web'") });
  });

  it("still renders when every file is a plain file", async () => {
    const tarball = releaseWithJob([
      { path: "job.MF", content: JOB_SPEC },
      { path: "monit", content: "check process web\n" },
      { path: "templates/config.erb", content: "port <%= 1 + 1 %>\n" },
    ]);
    const outcome = (await extractAndRender(tarball)) as { name: string; files: { path: string; content: Buffer }[] }[];
    expect(outcome[0]?.files.map((f) => [f.path, f.content.toString()])).toEqual([["config/app.conf", "port 2\n"], ["monit", "check process web\n"]]);
  });
});
