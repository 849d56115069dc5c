import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractRelease, inspectRelease, readReleaseJobs } from "../../src/director-release/index.js";
import { buildRelease, packDir, sha256Of, writeTree, type FixtureJob, type FixturePackage } from "./release-fixtures.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "release-"));
});

const jobs: FixtureJob[] = [
  {
    name: "web",
    spec: "---\nname: web\ntemplates:\n  ctl.erb: bin/ctl\npackages: [app]\nproperties:\n  port:\n    default: 8080\n    description: the port\n  name: {}\n",
    monit: "check process web\n",
    templates: { "ctl.erb": "#!/bin/bash\necho <%= p('port') %>\n" },
  },
];
const packages: FixturePackage[] = [
  { name: "lib", files: { packaging: "true\n" } },
  { name: "app", dependencies: ["lib"], files: { packaging: "true\n", "src/main.c": "int main(){return 0;}\n" } },
];

describe("inspectRelease", () => {
  it("reads name, version (as written), jobs and packages", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "1.10", jobs, packages });
    const summary = await inspectRelease(tarball, { cacheDir: join(root, "cache") });
    expect(summary).toMatchObject({ name: "demo", version: "1.10", compiled: false });
    expect(summary.jobs.map((j) => j.name)).toEqual(["web"]);
    expect(summary.packages.map((p) => [p.name, p.dependencies])).toEqual([["lib", []], ["app", ["lib"]]]);
  });

  it("answers from its cache while path, size and mtime are unchanged, and rereads when mtime changes", async () => {
    const cacheDir = join(root, "cache");
    const tarball = await buildRelease(root, { name: "demo", version: "1", jobs, packages });
    // a whole-second mtime can be restored exactly (a nanosecond one cannot through utimes)
    const atime = new Date("2026-01-01T00:00:00Z");
    const mtime = new Date("2026-01-01T00:00:00Z");
    utimesSync(tarball, atime, mtime);
    const first = await inspectRelease(tarball, { cacheDir });
    // given: the file's bytes replaced by garbage of the same size, mtime restored
    writeFileSync(tarball, Buffer.alloc(statSync(tarball).size, 0x41));
    utimesSync(tarball, atime, mtime);
    // then: the cached answer comes back, so the tarball was not read
    expect(await inspectRelease(tarball, { cacheDir })).toEqual(first);
    // when: the mtime moves, the garbage is read and refused
    utimesSync(tarball, atime, new Date(mtime.getTime() + 5000));
    await expect(inspectRelease(tarball, { cacheDir })).rejects.toMatchObject({ code: "RELEASE_INVALID" });
  });

  it("names the file when release.MF is missing or invalid", async () => {
    writeTree(join(root, "a"), { "other.txt": "x" });
    const noManifest = await packDir(join(root, "a"), join(root, "a.tgz"));
    await expect(inspectRelease(noManifest, { cacheDir: join(root, "cache") })).rejects.toMatchObject({ code: "RELEASE_INVALID", message: expect.stringContaining("a.tgz") });

    writeTree(join(root, "b"), { "release.MF": "name: x\njobs:\n- name: ../evil\n  fingerprint: f\n  sha1: nope\n" });
    const bad = await packDir(join(root, "b"), join(root, "b.tgz"));
    const error = await inspectRelease(bad, { cacheDir: join(root, "cache") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RELEASE_INVALID" });
    expect((error as { details: string[] }).details).toEqual(
      expect.arrayContaining([
        "version must be a non-empty string",
        "jobs[0].name '../evil' is not a valid name",
        "jobs[0].sha1 'nope' is not a SHA-1 or multi-digest",
      ]),
    );
  });

  it("hashes each package archive inside the tarball, extracting nothing", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "1", jobs, packages, digest: "sha256" });
    const summary = await inspectRelease(tarball, { cacheDir: join(root, "cache") });
    expect(summary.packages.map((p) => [p.name, p.archiveSha256, p.compiled])).toEqual([
      ["lib", sha256Of(join(root, "demo-stage", "packages", "lib.tgz")), false],
      ["app", sha256Of(join(root, "demo-stage", "packages", "app.tgz")), false],
    ]);
  });

  it("refuses a tarball whose package archive differs from release.MF, or lacks one, before anything is deployed", async () => {
    await buildRelease(root, { name: "demo", version: "3", jobs, packages });
    // given: the package archive inside the release swapped for another one
    writeTree(join(root, "demo-pkg-lib"), { packaging: "echo tampered\n" });
    await packDir(join(root, "demo-pkg-lib"), join(root, "demo-stage", "packages", "lib.tgz"));
    const tampered = await packDir(join(root, "demo-stage"), join(root, "tampered.tgz"));
    await expect(inspectRelease(tampered, { cacheDir: join(root, "cache") })).rejects.toMatchObject({
      code: "DIGEST_MISMATCH",
      message: expect.stringMatching(/Package 'lib' of release 'demo\/3' has digest [0-9a-f]{40}, expected [0-9a-f]{40}/),
    });
    // and: one without it at all
    rmSync(join(root, "demo-stage", "packages", "lib.tgz"));
    const incomplete = await packDir(join(root, "demo-stage"), join(root, "incomplete.tgz"));
    await expect(inspectRelease(incomplete, { cacheDir: join(root, "cache") })).rejects.toMatchObject({
      code: "RELEASE_INVALID",
      message: expect.stringContaining("'packages/lib.tgz' is not in"),
    });
  });

  it("reports a missing file as FILE_NOT_FOUND naming it", async () => {
    await expect(inspectRelease(join(root, "none.tgz"), { cacheDir: root })).rejects.toMatchObject({ code: "FILE_NOT_FOUND", message: expect.stringContaining("none.tgz") });
  });
});

describe("readReleaseJobs", () => {
  it("extracts the jobs and leaves every package archive in the tarball", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "2", jobs, packages });
    const summary = await inspectRelease(tarball, { cacheDir: join(root, "cache") });
    const release = await readReleaseJobs(tarball, summary, join(root, "work"));
    expect(release.jobs[0]?.spec.packages).toEqual(["app"]);
    expect(readFileSync(join(release.jobs[0]?.dir ?? "", "templates", "ctl.erb"), "utf8")).toContain("p('port')");
    expect(release.packages.map((p) => [p.name, p.tarball, p.entry, p.archiveSha256])).toEqual(summary.packages.map((p) => [p.name, tarball, `packages/${p.name}.tgz`, p.archiveSha256]));
    expect(existsSync(join(root, "work", "packages"))).toBe(false);
  });
});

describe("extractRelease", () => {
  it("extracts jobs with their parsed job.MF and leaves packages packed", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "2", jobs, packages, digest: "sha256" });
    const release = await extractRelease(tarball, join(root, "work"));
    expect(release).toMatchObject({ name: "demo", version: "2", compiled: false });
    const web = release.jobs[0];
    expect(web?.spec).toEqual({
      name: "web",
      templates: { "ctl.erb": "bin/ctl" },
      packages: ["app"],
      properties: { port: { default: 8080, description: "the port" }, name: {} },
    });
    expect(readFileSync(join(web?.dir ?? "", "templates", "ctl.erb"), "utf8")).toContain("p('port')");
    expect(release.packages.map((p) => [p.name, p.archivePath])).toEqual([
      ["lib", join(root, "work", "packages", "lib.tgz")],
      ["app", join(root, "work", "packages", "app.tgz")],
    ]);
  });

  it("reads a compiled release: packages from compiled_packages/ with their stemcell", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "4", jobs, packages, compiledFor: "ubuntu-jammy/1.10" });
    expect(await inspectRelease(tarball, { cacheDir: join(root, "cache") })).toMatchObject({ compiled: true, packages: [{ name: "lib", stemcell: "ubuntu-jammy/1.10" }, { name: "app" }] });
    const release = await extractRelease(tarball, join(root, "work"));
    expect(release.compiled).toBe(true);
    expect(release.packages[1]).toMatchObject({ name: "app", compiled: true, stemcell: "ubuntu-jammy/1.10", archivePath: join(root, "work", "compiled_packages", "app.tgz") });
  });

  it("fails with DIGEST_MISMATCH when a compiled package archive differs from release.MF (bosh-cli 7.9.13 does not check)", async () => {
    await buildRelease(root, { name: "demo", version: "5", jobs, packages, compiledFor: "ubuntu-jammy/1.10" });
    writeTree(join(root, "demo-compiled_packages-app"), { "bin/app": "planted\n" });
    await packDir(join(root, "demo-compiled_packages-app"), join(root, "demo-stage", "compiled_packages", "app.tgz"));
    const tampered = await packDir(join(root, "demo-stage"), join(root, "tampered.tgz"));
    const error = await extractRelease(tampered, join(root, "work")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DIGEST_MISMATCH", message: expect.stringMatching(/^Package 'app' of release 'demo\/5' has digest/) });
  });

  it("fails with DIGEST_MISMATCH when a job archive differs from release.MF", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "3", jobs, packages });
    // given: the job archive inside the release swapped for another one
    writeTree(join(root, "demo-job-web"), { monit: "tampered\n" });
    await packDir(join(root, "demo-job-web"), join(root, "demo-stage", "jobs", "web.tgz"));
    const tampered = await packDir(join(root, "demo-stage"), join(root, "tampered.tgz"));
    const error = await extractRelease(tampered, join(root, "work")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DIGEST_MISMATCH", message: expect.stringMatching(/Job 'web' of release 'demo\/3' has digest [0-9a-f]{40}, expected [0-9a-f]{40}/) });
    expect(tarball).not.toBe(tampered);
  });
});
