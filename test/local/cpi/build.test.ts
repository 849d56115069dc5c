/**
 * The builder: the three artefacts are real BOSH tarballs and building twice from the same
 * inputs gives the same bytes.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildArtifacts, type BuiltArtifact } from "../../../src/local/build/artifacts.js";
import { REPO_ROOT } from "../e2e-protocol/support/built-artifacts.js";

async function build(commitHash = "abc123"): Promise<BuiltArtifact[]> {
  const outDir = mkdtempSync(join(tmpdir(), "build-"));
  return buildArtifacts({ repoRoot: REPO_ROOT, outDir, baseVersion: "0.1.0", commitHash, uncommittedChanges: false });
}

function untar(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), "untar-"));
  execFileSync("tar", ["-xzf", tarball, "-C", dir]);
  return dir;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("building the local provider's artefacts", () => {
  it("is reproducible: same inputs, same digests", async () => {
    const first = await build();
    const second = await build();
    expect(second.map((a) => a.sha256)).toEqual(first.map((a) => a.sha256));
    expect(second.map((a) => sha256(a.path))).toEqual(first.map((a) => a.sha256));
    expect(first.map((a) => a.path.split("/").pop())).toEqual([
      "bootstrap-local-cpi-release.tgz",
      "bootstrap-local-stemcell.tgz",
      "bootstrap-director-release.tgz",
    ]);
  });

  it("makes releases whose release.MF digests match their job and package archives", async () => {
    const built = await build();
    for (const artifact of built.filter((a) => a.kind === "release")) {
      const dir = untar(artifact.path);
      const manifest = yaml.load(readFileSync(join(dir, "release.MF"), "utf8")) as {
        name: string; version: string; commit_hash: string; uncommitted_changes: boolean;
        jobs: { name: string; sha1: string; fingerprint: string; version: string }[];
        packages: { name: string; sha1: string; dependencies: string[] }[];
      };
      expect(manifest).toMatchObject({ name: artifact.name, version: artifact.version, commit_hash: "abc123", uncommitted_changes: false });
      for (const job of manifest.jobs) {
        expect(job.sha1).toBe(`sha256:${sha256(join(dir, "jobs", `${job.name}.tgz`))}`);
        expect(job.version).toBe(job.fingerprint);
        expect(readdirSync(untar(join(dir, "jobs", `${job.name}.tgz`))).sort()).toEqual(["job.MF", "monit", "templates"]);
      }
      for (const pkg of manifest.packages) {
        expect(pkg.sha1).toBe(`sha256:${sha256(join(dir, "packages", `${pkg.name}.tgz`))}`);
        expect(readdirSync(untar(join(dir, "packages", `${pkg.name}.tgz`)))).toContain("packaging");
      }
    }
    const director = untar(built[2]!.path);
    const directorManifest = yaml.load(readFileSync(join(director, "release.MF"), "utf8")) as { packages: { name: string; dependencies: string[] }[] };
    expect(directorManifest.packages).toContainEqual(expect.objectContaining({ name: "director-server", dependencies: ["director-uuid"] }));
  });

  it("makes a stemcell whose image carries an executable agent and the settings source", async () => {
    const [, stemcell] = await build();
    const dir = untar(stemcell!.path);
    const manifest = yaml.load(readFileSync(join(dir, "stemcell.MF"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: "bootstrap-local-stemcell", operating_system: "local", api_version: 3, version: stemcell!.version });
    expect(manifest["sha1"]).toBe(createHash("sha1").update(readFileSync(join(dir, "image"))).digest("hex"));
    const image = untar(join(dir, "image"));
    expect(JSON.parse(readFileSync(join(image, "bosh", "agent.json"), "utf8"))).toEqual({
      Infrastructure: { Settings: { Sources: [{ Type: "File", SettingsPath: "/var/vcap/bosh/warden-cpi-agent-env.json" }] } },
    });
    const usage = execFileSync("bash", ["-c", `"${join(image, "bosh", "bin", "bosh-agent")}" --bogus 2>&1 || true`], { encoding: "utf8" });
    expect(usage).toMatch(/bosh-agent/);
  });

  it("changes the release version only when content changes, not with the commit", async () => {
    const [a] = await build("one");
    const [b] = await build("two");
    expect(b!.version).toBe(a!.version);
    expect(b!.sha256).not.toBe(a!.sha256);
  });
});
