/**
 * What the CPI installation's compiled-package cache trusts: a release that claims a cached
 * package's name and fingerprint with other source is compiled from its own source, and a cached
 * blob altered after it was stored is noticed and compiled again (test CPI release, real bash
 * and gcc).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/common/index.js";
import { installCpi, type InstallEvent } from "../../src/cpi-runner/install/index.js";
import { extractRelease, type ExtractedRelease } from "../../src/director-release/index.js";
import { buildRelease, type FixturePackage } from "../director-release/release-fixtures.js";
import { TEST_CPI_JOB, testCpiPackages } from "./test-cpi-release.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cpi-cache-integrity-"));
});

let builds = 0;
async function release(packages: FixturePackage[]): Promise<ExtractedRelease> {
  builds += 1;
  const dir = join(root, `build-${builds}`);
  return extractRelease(await buildRelease(dir, { name: "test-cpi", version: "1", jobs: [TEST_CPI_JOB], packages }), join(dir, "extracted"));
}

async function install(r: ExtractedRelease) {
  const events: InstallEvent[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, warn: (m) => warnings.push(m) };
  const installation = await installCpi({
    releases: [r],
    templates: [{ name: "test_cpi", release: "test-cpi" }],
    properties: { test: { region: "r", token: "t" } },
    deploymentName: "bosh",
    installationDir: join(root, "installation"),
    logger,
    onEvent: (e) => events.push(e),
  });
  const out = execFileSync(installation.cpiPath, [], { input: JSON.stringify({ method: "info", arguments: [], context: {} }), env: { ...process.env, ...installation.env } });
  const greeting = (JSON.parse(out.toString("utf8")) as { result: { greeting: string } }).result.greeting;
  const compiled = events.flatMap((e) => (e.kind === "compile-package" ? [[e.name, e.source] as const] : []));
  return { compiled, greeting, warnings };
}

describe("the CPI installation's compiled-package cache", () => {
  it("a release claiming a cached package's name and fingerprint with other source gets no cached blob", async () => {
    const genuine = await release(testCpiPackages("hello"));
    expect((await install(genuine)).compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);

    // given: release.MF claims the genuine packages' fingerprints for other source
    const other = await release(testCpiPackages("planted"));
    const hostile: ExtractedRelease = {
      ...other,
      packages: other.packages.map((p) => ({ ...p, fingerprint: genuine.packages.find((g) => g.name === p.name)?.fingerprint ?? "" })),
    };

    const result = await install(hostile);
    expect(result.compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
    expect(result.greeting).toBe("planted");
  });

  it("a cached blob altered after it was stored is compiled again, with a warning", async () => {
    const genuine = await release(testCpiPackages("hello"));
    expect((await install(genuine)).compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
    // given: the cached blobs overwritten with other bytes of the same size, and the installed
    // packages gone (so the install has to take them from the cache)
    const cacheDir = join(root, "installation", "compiled-packages");
    for (const blob of readdirSync(cacheDir).filter((f) => f.endsWith(".tgz"))) {
      const path = join(cacheDir, blob);
      writeFileSync(path, Buffer.alloc(readFileSync(path).length, 0x41));
    }
    rmSync(join(root, "installation", "packages"), { recursive: true, force: true });

    const result = await install(genuine);
    expect(result.compiled).toEqual([["greeting-data", "release"], ["cpi-bin", "release"]]);
    expect(result.greeting).toBe("hello");
    expect(result.warnings).toEqual([expect.stringMatching(/compiled package 'greeting-data'.*digest/i), expect.stringMatching(/compiled package 'cpi-bin'.*digest/i)]);
  });
});
