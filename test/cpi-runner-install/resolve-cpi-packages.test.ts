import { describe, expect, it } from "vitest";
import { choosePackage } from "../../src/cpi-runner/install/choose-package.js";
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

/** The same package as compiled for `stemcell` (an exported release keeps the source fingerprint). */
const compiled = (p: ReleasePackage, stemcell: string): ReleasePackage => ({
  ...p,
  archiveSha256: `compiled-${p.archiveSha256}`,
  archivePath: `/r/compiled_packages/${p.name}.tgz`,
  compiled: true,
  stemcell,
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
    const { packages: resolved } = resolveCpiPackages([r], resolveCpiJobs([r], [{ name: "cpi", release: "cpi" }]));
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

  const jammy = { name: "ubuntu-jammy", source: "/etc/os-release" };
  const bookworm = { name: "debian-bookworm", source: "/etc/os-release" };
  const resolve = (r: ExtractedRelease, host: { name: string | undefined; source: string }) => resolveCpiPackages([r], resolveCpiJobs([r], [{ name: "cpi", release: "cpi" }]), host);

  it("takes a compiled release made for this machine's OS as it is, keyed by the compiled archives", () => {
    const r = release("cpi", [compiled(pkg("app", ["lib"]), "ubuntu-jammy/1.10"), compiled(pkg("lib"), "ubuntu-jammy/1.10")], { cpi: ["app"] });
    const { packages, warnings } = resolve(r, jammy);
    expect(packages.map((p) => [p.name, p.package.compiled])).toEqual([["lib", true], ["app", true]]);
    expect(packages[1]?.transitiveDependencies).toEqual([{ name: "lib", fingerprint: "fp-lib", sourceSha256: "compiled-sha256-of-lib" }]);
    expect(warnings).toEqual([]);
  });

  it("refuses a compiled release for another OS with no source, naming every package and the way out", () => {
    const r = release("cpi", [compiled(pkg("app", ["lib"]), "ubuntu-jammy/1.10"), compiled(pkg("lib"), "ubuntu-jammy/1.10"), compiled(pkg("unused"), "ubuntu-jammy/1.10")], { cpi: ["app"] });
    let error: unknown;
    try {
      resolve(r, bookworm);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "CPI_RELEASE_OS_MISMATCH",
      message: "CPI release 'cpi/1' is compiled for ubuntu-jammy/1.10 and has no source packages, but this machine is debian-bookworm (/etc/os-release)",
      details: ["cpi: package 'app' compiled for ubuntu-jammy/1.10", "cpi: package 'lib' compiled for ubuntu-jammy/1.10"],
      hint: expect.stringContaining("BOOTSTRAP_HOST_OS=ubuntu-jammy"),
    });
  });

  it("compiles the source packages beside compiled ones made for another OS, with one warning for the release", () => {
    const r = release("cpi", [pkg("app", ["lib"]), pkg("lib"), compiled(pkg("app", ["lib"]), "ubuntu-jammy/1.10"), compiled(pkg("lib"), "ubuntu-jammy/1.10")], { cpi: ["app"] });
    const { packages, warnings } = resolve(r, bookworm);
    expect(packages.map((p) => [p.name, p.package.compiled])).toEqual([["lib", false], ["app", false]]);
    expect(warnings).toEqual(["CPI release 'cpi/1' is compiled for ubuntu-jammy/1.10, but this machine is debian-bookworm (/etc/os-release): compiling its source packages instead"]);
    // and where the compiled ones fit, they win over the source
    expect(resolve(r, jammy).packages.map((p) => p.package.compiled)).toEqual([true, true]);
  });
});

describe("choosePackage", () => {
  const source = pkg("p");
  const forJammy = compiled(source, "ubuntu-jammy/1.10");
  const cases: { has: ReleasePackage[]; host: string | undefined; expected: ReturnType<typeof choosePackage> }[] = [
    { has: [source], host: "ubuntu-jammy", expected: { kind: "use", pkg: source } },
    { has: [forJammy], host: "ubuntu-jammy", expected: { kind: "use", pkg: forJammy } },
    { has: [source, forJammy], host: "ubuntu-jammy", expected: { kind: "use", pkg: forJammy } },
    { has: [source, forJammy], host: "ubuntu-noble", expected: { kind: "use", pkg: source, passedOver: forJammy } },
    { has: [source, forJammy], host: undefined, expected: { kind: "use", pkg: source, passedOver: forJammy } },
    { has: [forJammy], host: "ubuntu-noble", expected: { kind: "mismatch", compiled: forJammy } },
    // an OS line is compared whole: a prefix of it is another OS
    { has: [forJammy], host: "ubuntu", expected: { kind: "mismatch", compiled: forJammy } },
    { has: [forJammy], host: undefined, expected: { kind: "mismatch", compiled: forJammy } },
    { has: [pkg("other")], host: "ubuntu-jammy", expected: { kind: "missing" } },
  ];
  it.each(cases)("of $has.length package(s) on $host", ({ has, host, expected }) => {
    expect(choosePackage(has, "p", host)).toEqual(expected);
  });
});
