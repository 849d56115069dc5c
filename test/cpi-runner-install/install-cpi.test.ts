import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { installCpi, type HostOs, type InstallEvent } from "../../src/cpi-runner/install/index.js";
import { extractRelease, type ExtractedRelease } from "../../src/director-release/index.js";
import { buildRelease, type FixturePackage } from "../director-release/release-fixtures.js";
import { OTHER_CPI_JOB, TEST_CPI_JOB, testCpiPackages } from "./test-cpi-release.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "install-cpi-"));
});

let builds = 0;
async function release(packages: FixturePackage[] = testCpiPackages(), compiledFor?: string): Promise<ExtractedRelease> {
  builds += 1;
  const dir = join(root, `build-${builds}`);
  const tarball = await buildRelease(dir, { name: "test-cpi", version: "1", jobs: [TEST_CPI_JOB, OTHER_CPI_JOB], packages, ...(compiledFor === undefined ? {} : { compiledFor }) });
  return extractRelease(tarball, join(dir, "extracted"));
}

/** The last built release's tarball, extracted once more into a new directory. */
async function extractAgain(): Promise<ExtractedRelease> {
  const dir = join(root, `build-${builds}`);
  return extractRelease(join(dir, "test-cpi-1.tgz"), join(dir, `extracted-${Date.now()}`));
}

async function install(r: ExtractedRelease, properties: Record<string, unknown>, templates = [{ name: "test_cpi", release: "test-cpi" }], hostOs?: HostOs) {
  const events: InstallEvent[] = [];
  const installation = await installCpi({
    releases: [r],
    templates,
    properties,
    deploymentName: "bosh",
    hostOs,
    installationDir: join(root, "installation"),
    logger: silentLogger,
    onEvent: (e) => events.push(e),
  });
  const compiled = events.flatMap((e) => (e.kind === "compile-package" ? [[e.name, e.source] as const] : []));
  return { installation, events, compiled };
}

function callInfo(cpiPath: string, env: Record<string, string>): unknown {
  const out = execFileSync(cpiPath, [], { input: JSON.stringify({ method: "info", arguments: [], context: {} }), env: { ...process.env, ...env } });
  return JSON.parse(out.toString("utf8"));
}

describe("installCpi", () => {
  it("compiles packages in dependency order, renders bin/cpi from ERB, and a second run compiles nothing", async () => {
    const first = await install(await release(), { test: { region: "eu-west", token: "t0k" } });
    expect(first.compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
    expect(first.events.at(-1)?.kind).toBe("render-jobs");
    const { cpiPath, env } = first.installation;
    expect(cpiPath).toBe(join(root, "installation", "jobs", "test_cpi", "bin", "cpi"));
    expect(statSync(cpiPath).mode & 0o777).toBe(0o755);
    expect(env).toEqual({ BOSH_PACKAGES_DIR: join(root, "installation", "packages"), BOSH_JOBS_DIR: join(root, "installation", "jobs") });
    expect(callInfo(cpiPath, env)).toMatchObject({ result: { api_version: 2, greeting: "hello", region: "eu-west" }, error: null });

    // when: installed again from a fresh extraction of the same tarball, with other properties
    // (a rebuilt tarball would not do: its archives' bytes differ, and the cache keys on them)
    const second = await install(await extractAgain(), { test: { region: "us-east", token: "t0k" } });
    expect(second.compiled).toEqual([["greeting-data", "cache"], ["cpi-bin", "cache"]]);
    expect(callInfo(second.installation.cpiPath, second.installation.env)).toMatchObject({ result: { greeting: "hello", region: "us-east" } });
  });

  it("reuses the rendered CPI job while job and properties are unchanged, and keeps it private", async () => {
    const rendered = (r: Awaited<ReturnType<typeof install>>) => r.events.flatMap((e) => (e.kind === "render-jobs" ? [e.reused] : []));
    const properties = { test: { region: "eu-west", token: "t0k" } };
    expect(rendered(await install(await release(), properties))).toEqual([false]);
    expect(statSync(join(root, "installation", "jobs")).mode & 0o777).toBe(0o700);

    const same = await install(await release(), properties);
    expect(rendered(same)).toEqual([true]);
    expect(callInfo(same.installation.cpiPath, same.installation.env)).toMatchObject({ result: { region: "eu-west" } });

    const other = await install(await release(), { test: { region: "ap-south", token: "t0k" } });
    expect(rendered(other)).toEqual([false]);
    expect(callInfo(other.installation.cpiPath, other.installation.env)).toMatchObject({ result: { region: "ap-south" } });
  });

  it("recompiles a package whose dependency changed, even though its own fingerprint did not", async () => {
    await install(await release(), { test: { token: "x" } });
    const changed = await install(await release(testCpiPackages("bonjour")), { test: { token: "x" } });
    expect(changed.compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
    expect(callInfo(changed.installation.cpiPath, changed.installation.env)).toMatchObject({ result: { greeting: "bonjour", region: "nowhere" } });
  });

  describe("a compiled release", () => {
    // "Compiled" packages: what the CPI needs at run time, and a packaging script that fails, so
    // that running it instead of unpacking the package fails the install.
    const compiledPackages: FixturePackage[] = [
      { name: "greeting-data", files: { "greeting.txt": "hi\n", packaging: "echo compiled package was built >&2\nexit 1\n" } },
      {
        name: "cpi-bin",
        dependencies: ["greeting-data"],
        files: {
          "bin/cpi-impl": { content: '#!/bin/bash\ncat >/dev/null\necho "{\\"result\\":{\\"region\\":\\"$1\\",\\"greeting\\":\\"$(cat $BOSH_PACKAGES_DIR/greeting-data/greeting.txt)\\"},\\"error\\":null}"\n', mode: 0o755 },
          packaging: "exit 1\n",
        },
      },
    ];
    const jammy = { name: "ubuntu-jammy", source: "/etc/os-release" };
    const bookworm = { name: "debian-bookworm", source: "/etc/os-release" };

    it("made for this machine's OS installs as it is, running no packaging script", async () => {
      const r = await release(compiledPackages, "ubuntu-jammy/1.10");
      const { compiled: events, installation } = await install(r, { test: { region: "r1", token: "x" } }, undefined, jammy);
      expect(events).toEqual([["greeting-data", "compiled"], ["cpi-bin", "compiled"]]);
      expect(callInfo(installation.cpiPath, installation.env)).toEqual({ result: { region: "r1", greeting: "hi" }, error: null });
      // the compiled package's own files, nothing a packaging script made
      expect(readdirSync(join(installation.env["BOSH_PACKAGES_DIR"] ?? "", "greeting-data")).sort()).toEqual(["greeting.txt", "packaging"]);
    });

    it("made for another OS is refused before anything is installed", async () => {
      const r = await release(compiledPackages, "ubuntu-jammy/1.10");
      const error = await install(r, { test: { token: "x" } }, undefined, bookworm).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CPI_RELEASE_OS_MISMATCH", details: ["test-cpi: package 'cpi-bin' compiled for ubuntu-jammy/1.10", "test-cpi: package 'greeting-data' compiled for ubuntu-jammy/1.10"] });
      expect(existsSync(join(root, "installation", "packages"))).toBe(false);
    });

    it("made for another OS, with source packages beside it, is compiled from the source with a warning", async () => {
      builds += 1;
      const dir = join(root, `build-${builds}`);
      const tarball = await buildRelease(dir, { name: "test-cpi", version: "1", jobs: [TEST_CPI_JOB], packages: compiledPackages, compiledFor: "ubuntu-jammy/1.10", sourcePackages: testCpiPackages("compiled here") });
      const { compiled: events, events: all, installation } = await install(await extractRelease(tarball, join(dir, "extracted")), { test: { token: "x" } }, undefined, bookworm);
      expect(events).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
      expect(all.filter((e) => e.kind === "warning")).toEqual([
        { kind: "warning", message: "CPI release 'test-cpi/1' is compiled for ubuntu-jammy/1.10, but this machine is debian-bookworm (/etc/os-release): compiling its source packages instead" },
      ]);
      expect(callInfo(installation.cpiPath, installation.env)).toMatchObject({ result: { greeting: "compiled here" } });
    });
  });

  it("reports a failing packaging script with the tail of its output", async () => {
    const broken = testCpiPackages();
    (broken[0] as FixturePackage).files["packaging"] = "echo about to fail\nexit 7\n";
    const error = await install(await release(broken), { test: { token: "x" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PACKAGE_COMPILE_FAILED", message: expect.stringContaining("'greeting-data' failed (exit code 7)") });
    expect((error as { details: string[] }).details).toContain("about to fail");
  });

  it("stops a packaging script when aborted", async () => {
    const slow = testCpiPackages();
    (slow[0] as FixturePackage).files["packaging"] = "sleep 30\n";
    const r = await release(slow);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("interrupted by test")), 300);
    const started = Date.now();
    await expect(
      installCpi({ releases: [r], templates: [{ name: "test_cpi", release: "test-cpi" }], properties: {}, deploymentName: "bosh", installationDir: join(root, "installation"), logger: silentLogger, signal: controller.signal }),
    ).rejects.toThrow("interrupted by test");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("renders nothing once aborted: a signal as the last package compiles ends the install before the embedded Ruby boots", async () => {
    const r = await release();
    const controller = new AbortController();
    const reason = new Error("interrupted by test");
    const events: InstallEvent[] = [];
    const onEvent = (e: InstallEvent): void => {
      events.push(e);
      // The last package is done: only rendering the job (booting Ruby, seconds when busy) is left.
      if (e.kind === "compile-package" && e.name === "cpi-bin") controller.abort(reason);
    };
    const installationDir = join(root, "installation");
    await expect(
      installCpi({ releases: [r], templates: [{ name: "test_cpi", release: "test-cpi" }], properties: {}, deploymentName: "bosh", installationDir, logger: silentLogger, signal: controller.signal, onEvent }),
    ).rejects.toBe(reason);
    expect(events.map((e) => e.kind)).not.toContain("render-jobs");
    expect(() => statSync(join(installationDir, "jobs"))).toThrow();
  });

  it("requires exactly one job with bin/cpi", async () => {
    const error = await install(await release(), { test: { token: "x" } }, [
      { name: "test_cpi", release: "test-cpi" },
      { name: "other_cpi", release: "test-cpi" },
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CPI_INSTALL_FAILED", message: expect.stringContaining("Found 2") });
  });

  it("names a template that the releases do not have", async () => {
    const r = await release();
    await expect(install(r, {}, [{ name: "nope", release: "test-cpi" }])).rejects.toMatchObject({ code: "CPI_INSTALL_FAILED", message: expect.stringContaining("no job 'nope'") });
    await expect(install(r, {}, [{ name: "test_cpi", release: "other" }])).rejects.toMatchObject({ code: "CPI_INSTALL_FAILED", message: expect.stringContaining("release 'other'") });
  });
});
