/**
 * What the compiled-package cache trusts, through compilation on the VM with a fake agent and a
 * real cache: real release tarballs are inspected (so each package's source digest is hashed
 * from its archive) and their archives streamed, one compile fills the cache, and then
 * - a hostile release whose release.MF claims the cached package's name and fingerprint, with
 *   other source, is compiled from its own source instead of getting the cached blob;
 * - a cache blob altered after it was stored is noticed, dropped with a warning, and compiled
 *   again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { CompilePackageArgs } from "../../src/agent-client/index.js";
import { compilePackagesOnVm, type PackageSource } from "../../src/bootstrap/compile-on-vm.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { silentLogger } from "../../src/common/index.js";
import type { BlobStream } from "../../src/agent-client/index.js";
import { inspectRelease, openCompiledPackageCache, readReleaseJobs, streamPackageArchives } from "../../src/director-release/index.js";
import { buildRelease, type FixturePackage } from "../director-release/release-fixtures.js";
import { FakeAgent, newVmPackages } from "./fakes.js";

const sha1 = (bytes: Buffer): string => createHash("sha1").update(bytes).digest("hex");

/** Compiles by "building" bytes that name the source blob it was given, and serves them back. */
class CompilingAgent extends FakeAgent {
  private readonly blobs = new Map<string, Buffer>();
  override async uploadBlob(source: string | BlobStream) {
    this.calls.push(`upload ${typeof source === "string" ? source : source.label}`);
    const bytes = typeof source === "string" ? readFileSync(source) : Buffer.concat(await source.open().toArray());
    const blobId = `blob-${this.blobs.size}`;
    this.blobs.set(blobId, bytes);
    return { blobId, sha1: sha1(bytes), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  }
  override async compilePackage(a: CompilePackageArgs) {
    this.calls.push(`compile_package ${a.name}`);
    const compiled = Buffer.from(`compiled from ${sha1(this.blobs.get(a.blobstoreId) ?? Buffer.alloc(0))}`);
    const blobstoreId = `compiled-${this.blobs.size}`;
    this.blobs.set(blobstoreId, compiled);
    return { blobstoreId, sha1: sha1(compiled) };
  }
  override async downloadBlob(blobId: string, dest: string) {
    const bytes = this.blobs.get(blobId) ?? Buffer.alloc(0);
    await writeFile(dest, bytes);
    return { sha1: sha1(bytes), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  }
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "compile-cache-integrity-"));
});

let builds = 0;
async function releasePackages(packages: FixturePackage[]): Promise<PackageSource[]> {
  builds += 1;
  const dir = join(root, `release-${builds}`);
  const tarball = await buildRelease(dir, { name: "app", version: "1", jobs: [], packages });
  const summary = await inspectRelease(tarball, { cacheDir: join(dir, "inspected") });
  return (await readReleaseJobs(tarball, summary, join(dir, "read"))).packages;
}

async function compile(packages: readonly PackageSource[], cacheDir: string) {
  const events: BootstrapEvent[] = [];
  const agent = new CompilingAgent();
  const reporter = new Reporter({ emit: (e) => events.push(e) });
  // Compilation uses the reporter, the logger and the signal of its stage, nothing else.
  const ctx = { reporter, logger: silentLogger, signal: new AbortController().signal } as StageContext;
  const compiled = await compilePackagesOnVm(ctx, agent, {
    packages,
    stemcell: { os: "ubuntu-jammy", version: "1.1" },
    cache: openCompiledPackageCache(cacheDir, (message) => reporter.warn(message)),
    archives: streamPackageArchives,
    workDir: mkdtempSync(join(root, "work-")),
  }, newVmPackages());
  await compiled.kept;
  const refs = compiled.refs;
  const sources = events.flatMap((e) => (e.type === "compile-package" ? [[e.name, e.source] as const] : []));
  const warnings = events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
  return { refs, sources, warnings, agent };
}

const GENUINE: FixturePackage[] = [
  { name: "lib", files: { packaging: "true\n", "lib.c": "int lib(void){return 1;}\n" } },
  { name: "app", dependencies: ["lib"], files: { packaging: "true\n", "main.c": "int main(void){return 0;}\n" } },
];

describe("the compiled-package cache on the VM path", () => {
  it("a hostile release claiming a cached package's name and fingerprint gets no cached blob", async () => {
    const cacheDir = join(root, "cache");
    const genuine = await releasePackages(GENUINE);
    expect((await compile(genuine, cacheDir)).sources).toEqual([["lib", "release"], ["app", "release"]]);
    expect((await compile(genuine, cacheDir)).sources).toEqual([["lib", "cache"], ["app", "cache"]]);

    // given: another release whose release.MF names the same packages and fingerprints, other source
    const hostile = (await releasePackages([
      { name: "lib", files: { packaging: "true\n", "lib.c": "int lib(void){return 666;}\n" } },
      { name: "app", dependencies: ["lib"], files: { packaging: "echo planted\n", "main.c": "int main(void){return 66;}\n" } },
    ])).map((p) => ({ ...p, fingerprint: genuine.find((g) => g.name === p.name)?.fingerprint ?? "" }));

    // when / then: compiled from its own source, not served the genuine release's compiled blobs
    const { sources, refs } = await compile(hostile, cacheDir);
    expect(sources).toEqual([["lib", "release"], ["app", "release"]]);
    const hostileLib = hostile.find((p) => p.name === "lib");
    expect(refs.find((r) => r.name === "lib")?.sha1).toBe(sha1(Buffer.from(`compiled from ${hostileLib?.sha1 ?? ""}`)));

    // and a package whose own source is genuine but whose dependency is not is not reused either
    const mixed = [...genuine.filter((p) => p.name === "app"), ...hostile.filter((p) => p.name === "lib")];
    expect((await compile(mixed, cacheDir)).sources).toEqual([["lib", "cache"], ["app", "release"]]);
  });

  it("a cache blob altered after it was stored is dropped with a warning and compiled again", async () => {
    const cacheDir = join(root, "cache");
    const genuine = await releasePackages(GENUINE);
    await compile(genuine, cacheDir);
    // given: every cached blob overwritten with other bytes of the same size
    const blobs = readdirSync(cacheDir).filter((f) => f.endsWith(".tgz"));
    expect(blobs).toHaveLength(2);
    for (const blob of blobs) {
      const path = join(cacheDir, blob);
      writeFileSync(path, Buffer.alloc(readFileSync(path).length, 0x41));
    }

    const { sources, warnings } = await compile(genuine, cacheDir);
    expect(sources).toEqual([["lib", "release"], ["app", "release"]]);
    expect(warnings).toEqual([expect.stringMatching(/compiled package 'lib'.*digest.*recompil/i), expect.stringMatching(/compiled package 'app'.*digest.*recompil/i)]);
    // the recompiled blobs replaced the bad entries
    for (const blob of blobs) expect(existsSync(join(cacheDir, blob))).toBe(true);
    expect((await compile(genuine, cacheDir)).sources).toEqual([["lib", "cache"], ["app", "cache"]]);
  });
});
