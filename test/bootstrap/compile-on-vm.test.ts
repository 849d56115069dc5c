/**
 * Compilation on the VM with fake ports: the compiled-package cache is filled when the agent
 * serves the compiled blobs, and when it does not (the upstream agent answers 404 where its
 * blobstore is not /var/vcap/data/blobs) the deploy goes on with the blobs left on the VM,
 * saying so once. On a VM that already holds packages from identical compiles, those are used
 * where they are, and the jobs are stopped once before the first compile.
 */
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BlobNotFoundError, type CompilePackageArgs } from "../../src/agent-client/index.js";
import { compilePackagesOnVm, type PackageSource, type VmPackages } from "../../src/bootstrap/compile-on-vm.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { silentLogger } from "../../src/common/index.js";
import type { CompiledPackageKey } from "../../src/director-release/index.js";
import type { VmPackageRecord } from "../../src/state/index.js";
import { emptyState, FakeAgent, fakeArchives, FakeCpi, FakeState, newVmPackages } from "./fakes.js";

const COMPILED = Buffer.from("compiled bytes");
const COMPILED_SHA1 = createHash("sha1").update(COMPILED).digest("hex");

class BlobAgent extends FakeAgent {
  downloads: string[] = [];
  constructor(private readonly serve: "all" | "none") {
    super();
  }
  override async compilePackage(a: CompilePackageArgs) {
    const deps = Object.values(a.deps).map((d) => d.blobstore_id);
    this.calls.push(`compile_package ${a.name}${deps.length > 0 ? ` (${deps.join(", ")})` : ""}`);
    return { blobstoreId: `compiled-${a.name}`, sha1: COMPILED_SHA1 };
  }
  override async downloadBlob(blobId: string, dest: string) {
    this.downloads.push(blobId);
    if (this.serve === "none") throw new BlobNotFoundError(blobId);
    await writeFile(dest, COMPILED);
    return { sha1: COMPILED_SHA1, sha256: "", size: COMPILED.length };
  }
}

const pkg = (name: string, dependencies: string[], source = "b"): PackageSource => ({
  name,
  fingerprint: `fp-${name}`,
  sha1: "a".repeat(40),
  archiveSha256: source.repeat(64),
  dependencies,
  tarball: "/src/release.tgz",
  entry: `packages/${name}.tgz`,
  compiled: false,
});
const PACKAGES = [pkg("base", []), pkg("app", ["base"]), pkg("tool", [])];

/** What the cache does once the download is in: nothing by default. */
type Keep = (key: CompiledPackageKey, sha1: string) => Promise<unknown>;

async function compile(agent: BlobAgent, kept: Keep = async () => undefined, vm: VmPackages = newVmPackages(), packages = PACKAGES) {
  const events: BootstrapEvent[] = [];
  const ctx: StageContext = {
    reporter: new Reporter({ emit: (e) => events.push(e) }),
    logger: silentLogger,
    signal: new AbortController().signal,
    state: new FakeState(emptyState()),
    cpi: new FakeCpi(),
    connectAgent: () => agent,
  };
  const puts: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), "compile-test-"));
  const compiled = await compilePackagesOnVm(ctx, agent, {
    packages,
    stemcell: { os: "local", version: "1" },
    cache: {
      get: async () => undefined,
      store: async (key, sha1, write) => {
        await write(join(dir, key.name), ["sha1", "sha256"]);
        puts.push(key.name);
        await kept(key, sha1);
        return { path: join(dir, key.name), sha1 };
      },
    },
    archives: fakeArchives,
    workDir: dir,
  }, vm);
  // The downloads into the cache end after compilation does.
  await compiled.kept;
  const refs = compiled.refs;
  const warnings = events.filter((e): e is { type: "warning"; message: string } => e.type === "warning").map((e) => e.message);
  const sources = events.flatMap((e) => (e.type === "compile-package" ? [`${e.name}:${e.source}`] : []));
  return { refs, puts, warnings, sources };
}

/** A VM that keeps what it is told it holds, and counts the stops before compiling. */
function recordingVm(held: VmPackageRecord[] = []) {
  const vm = {
    held,
    remembered: [] as VmPackageRecord[],
    stops: 0,
    remember: async (record: VmPackageRecord) => void vm.remembered.push(record),
    beforeCompile: async () => void (vm.stops += 1),
  };
  return vm;
}

describe("compiling on the VM", () => {
  it("keeps every compiled package in the local cache when the agent serves its blobs", async () => {
    const { refs, puts, warnings } = await compile(new BlobAgent("all"));
    expect(puts.sort()).toEqual(["app", "base", "tool"]);
    expect(warnings).toEqual([]);
    expect(refs.map((r) => r.blobstore_id)).toEqual(["compiled-base", "compiled-app", "compiled-tool"]);
  });

  it("deploys from the blobs left on the VM when the agent answers 404, and says why once", async () => {
    const agent = new BlobAgent("none");
    const { refs, puts, warnings } = await compile(agent);
    expect(refs.map((r) => [r.name, r.blobstore_id, r.sha1])).toEqual([
      ["base", "compiled-base", COMPILED_SHA1],
      ["app", "compiled-app", COMPILED_SHA1],
      ["tool", "compiled-tool", COMPILED_SHA1],
    ]);
    expect(agent.calls.filter((c) => c.startsWith("compile_package"))).toHaveLength(3);
    expect(puts).toEqual([]);
    // The first 404 tells: later packages are not tried (the one compiled alongside may have been).
    expect(agent.downloads).not.toContain("compiled-app");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not kept in the local cache.*GET answered 404.*micro_bosh\/data\/cache.*stay on the VM/);
  });

  it("a cache that cannot be written is a warning, not a failed deploy", async () => {
    const { refs, warnings } = await compile(new BlobAgent("all"), async () => {
      throw new Error("ENOSPC: no space left on device");
    });
    expect(refs).toHaveLength(3);
    expect(warnings).toEqual([expect.stringContaining("ENOSPC")]);
  });

  it("compiles a package while its dependency's compiled blob is still downloading", async () => {
    // given: the download of base's compiled blob ends only once app (which needs base) is compiled
    let appCompiled: () => void = () => undefined;
    const appCompiling = new Promise<void>((resolve) => (appCompiled = resolve));
    const order: string[] = [];
    class SlowDownloads extends BlobAgent {
      override async compilePackage(a: CompilePackageArgs) {
        order.push(`compile ${a.name}`);
        if (a.name === "app") appCompiled();
        return super.compilePackage(a);
      }
      override async downloadBlob(blobId: string, dest: string) {
        if (blobId === "compiled-base") await appCompiling;
        order.push(`downloaded ${blobId}`);
        return super.downloadBlob(blobId, dest);
      }
    }
    // when
    const { refs, puts } = await compile(new SlowDownloads("all"));
    // then: a download that held up compilation would never have ended
    expect(order.indexOf("compile app")).toBeLessThan(order.indexOf("downloaded compiled-base"));
    expect(refs).toHaveLength(3);
    expect(puts.sort()).toEqual(["app", "base", "tool"]);
  });
});

describe("compiling on a VM that holds packages already", () => {
  it("remembers every package that lands on the VM, with the key of its compile", async () => {
    const vm = recordingVm();
    await compile(new BlobAgent("all"), undefined, vm);
    // In the order they land, which the uploads' order (the tarball's) decides.
    expect(vm.remembered.map((r) => [r.name, r.blobstore_id]).sort()).toEqual([
      ["app", "compiled-app"],
      ["base", "compiled-base"],
      ["tool", "compiled-tool"],
    ]);
    expect(new Set(vm.remembered.map((r) => r.key)).size).toBe(3);
  });

  it("uses the packages it holds from identical compiles: nothing uploaded, compiled or stopped", async () => {
    const first = recordingVm();
    await compile(new BlobAgent("all"), undefined, first);
    // when: the same packages again, on the VM that holds them
    const agent = new BlobAgent("all");
    const again = recordingVm(first.remembered);
    const { refs, sources, puts } = await compile(agent, undefined, again);
    // then
    expect(agent.calls).toEqual([]);
    expect(sources.sort()).toEqual(["app:vm", "base:vm", "tool:vm"]);
    expect(refs.map((r) => r.blobstore_id)).toEqual(["compiled-base", "compiled-app", "compiled-tool"]);
    expect([again.stops, again.remembered.length, puts.length]).toEqual([0, 0, 0]);
  });

  it("compiles what changed, and what depends on it, against the held packages, after one stop", async () => {
    const first = recordingVm();
    await compile(new BlobAgent("all"), undefined, first);
    // given: base's source changed (so app's compile key too); tool is untouched
    const agent = new BlobAgent("all");
    const vm = recordingVm(first.remembered);
    const { sources } = await compile(agent, undefined, vm, [pkg("base", [], "c"), pkg("app", ["base"]), pkg("tool", [])]);
    expect(sources.sort()).toEqual(["app:release", "base:release", "tool:vm"]);
    expect(agent.calls.filter((c) => c.startsWith("compile_package"))).toEqual(["compile_package base", "compile_package app (compiled-base)"]);
    expect(vm.stops).toBe(1);
    expect(vm.remembered.map((r) => r.name).sort()).toEqual(["app", "base"]);
    expect(vm.remembered.find((r) => r.name === "base")?.key).not.toBe(first.remembered.find((r) => r.name === "base")?.key);
  });

  it("a held package of another version or compile is not used", async () => {
    const first = recordingVm();
    await compile(new BlobAgent("all"), undefined, first);
    const stale = first.remembered.map((r) => (r.name === "tool" ? { ...r, version: "fp-old" } : r.name === "base" ? { ...r, key: "base-other" } : r));
    const { sources } = await compile(new BlobAgent("all"), undefined, recordingVm(stale));
    // app's own compile is held: its key names the sources of its dependencies, not their blobs
    expect(sources.sort()).toEqual(["app:vm", "base:release", "tool:release"]);
  });
});
