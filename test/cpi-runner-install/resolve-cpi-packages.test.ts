import { describe, expect, it } from "vitest";
import { resolveCpiJobs, resolveCpiPackages } from "../../src/cpi-runner/install/resolve-cpi-packages.js";
import type { ExtractedRelease, ReleasePackage } from "../../src/director-release/index.js";

const pkg = (name: string, dependencies: string[] = [], fingerprint = `fp-${name}`): ReleasePackage => ({
  name,
  fingerprint,
  sha1: "x",
  archiveSha256: `sha256-of-${name}`,
  dependencies,
  archivePath: `/r/${name}.tgz`,
  compiled: false,
});

const release = (name: string, packages: ReleasePackage[], jobPackages: Record<string, string[]>): ExtractedRelease => ({
  name,
  version: "1",
  dir: "/r",
  compiled: false,
  packages,
  jobs: Object.entries(jobPackages).map(([job, pkgs]) => ({
    name: job,
    fingerprint: "f",
    sha1: "s",
    dir: `/r/jobs/${job}`,
    spec: { name: job, templates: {}, packages: pkgs, properties: {} },
  })),
});

describe("resolveCpiPackages", () => {
  it("orders dependencies first, leaves out unneeded packages, and keys each by all transitive dependencies", () => {
    const r = release("cpi", [pkg("app", ["lib"]), pkg("unused"), pkg("lib", ["base"]), pkg("base")], { cpi: ["app"] });
    const resolved = resolveCpiPackages([r], resolveCpiJobs([r], [{ name: "cpi", release: "cpi" }]));
    expect(resolved.map((p) => p.name)).toEqual(["base", "lib", "app"]);
    expect(resolved.find((p) => p.name === "app")?.transitiveDependencies).toEqual([
      { name: "base", fingerprint: "fp-base", sourceSha256: "sha256-of-base" },
      { name: "lib", fingerprint: "fp-lib", sourceSha256: "sha256-of-lib" },
    ]);
  });

  it("refuses two different packages of one name from two CPI releases", () => {
    const a = release("a", [pkg("common", [], "one")], { ja: ["common"] });
    const b = release("b", [pkg("common", [], "two")], { jb: ["common"] });
    const jobs = resolveCpiJobs([a, b], [{ name: "ja", release: "a" }, { name: "jb", release: "b" }]);
    expect(() => resolveCpiPackages([a, b], jobs)).toThrow(expect.objectContaining({ code: "CPI_INSTALL_FAILED", message: expect.stringContaining("'common'") }));
  });

  it("names a package the job needs but the release lacks", () => {
    const r = release("cpi", [pkg("app", ["ghost"])], { cpi: ["app"] });
    expect(() => resolveCpiPackages([r], resolveCpiJobs([r], [{ name: "cpi", release: "cpi" }]))).toThrow(
      expect.objectContaining({ code: "CPI_INSTALL_FAILED", message: "Package 'app' needs package 'ghost', which release 'cpi' does not contain" }),
    );
  });
});
