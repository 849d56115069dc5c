/**
 * Compiles the instance group's packages on the VM in dependency order. A package the VM already
 * holds from an identical compile (an earlier run on this VM recorded it) is used where it is;
 * otherwise it is uploaded as-is when the release is compiled, taken from the local
 * compiled-package cache when an identical compile (same stemcell, and the same source bytes for
 * it and every dependency) was kept before, and otherwise compiled by the agent and then
 * downloaded into that cache (in the background, while compilation goes on) — so replacing the
 * VM later re-uploads instead of recompiling.
 * compile_package removes every installed package, so a VM running jobs is told first
 * (`beforeCompile`). Each package on the VM is recorded as it lands there. Archives go to the
 * agent straight from the release tarballs, from the start of the step (upload-archives.ts), so
 * the next one uploads while the agent compiles (the agent compiles one at a time).
 * Filling the cache never fails a deploy: where the agent does not let its compiled blobs be
 * downloaded, they stay on the VM and are referenced by blobstore id, as bosh-cli does.
 */
import { runGraph } from "../common/index.js";
import { compiledPackageKeyId, type CompiledPackageCache, type CompiledPackageKey, type CompiledPackageSource } from "../director-release/index.js";
import type { VmPackageRecord } from "../state/index.js";
import { keepCompiledPackages, type CompiledPackageKeeper } from "./keep-compiled-packages.js";
import type { CompiledPackageRef } from "./instance-spec.js";
import type { AgentPort, StageContext } from "./ports.js";
import { Skipped } from "./reporter.js";
import { uploadArchives, type ArchiveStreamer, type ArchiveUploads, type PackageSource } from "./upload-archives.js";

export type { ArchiveStreamer, PackageSource };

/** The slice of the compiled-package cache that compilation uses. */
export type CompiledPackageCachePort = Pick<CompiledPackageCache, "get" | "store">;

export interface CompileInput {
  packages: readonly PackageSource[];
  stemcell: { os: string; version: string };
  cache: CompiledPackageCachePort;
  archives: ArchiveStreamer;
  workDir: string;
}

/** What the VM holds, and what is told as that changes. */
export interface VmPackages {
  /** Compiled packages already on the VM (recorded by an earlier run on it). */
  held: readonly VmPackageRecord[];
  /** A package is on the VM now (uploaded or compiled there). */
  remember(record: VmPackageRecord): Promise<void>;
  /** Called once, before the first compile_package of the run: it removes every installed package. */
  beforeCompile(): Promise<void>;
}

type Source = "vm" | "compiled" | "cache" | "release";

const SKIPPED: Partial<Record<Source, string>> = {
  vm: "Already on the VM",
  compiled: "Package already compiled",
  cache: "Found in local compiled-package cache",
};

export interface Compiled {
  refs: CompiledPackageRef[];
  /**
   * The downloads into the local cache still under way: the deploy goes on meanwhile, and must
   * await this before it lets go of the agent (it rejects only when interrupted).
   */
  kept: Promise<void>;
}

export async function compilePackagesOnVm(ctx: StageContext, agent: AgentPort, input: CompileInput, onVm: VmPackages): Promise<Compiled> {
  // Two compiles run at once: both wait for the one call.
  let prepared: Promise<void> | undefined;
  const vm: VmPackages = { ...onVm, beforeCompile: () => (prepared ??= onVm.beforeCompile()) };
  const byName = new Map(input.packages.map((p) => [p.name, p]));
  const nodes = input.packages.map((p) => ({ ...p, dependencies: p.dependencies }));
  const keeper = keepCompiledPackages({ ctx, agent, cache: input.cache });
  // Where each package comes from is known before anything moves: the VM, the cache, or its archive.
  const keys = new Map(input.packages.map((p) => [p.name, cacheKey(p, byName, input.stemcell)]));
  const held = new Map<string, VmPackageRecord>();
  const cached = new Map<string, { path: string; sha1: string }>();
  for (const p of input.packages) {
    const key = keys.get(p.name) as CompiledPackageKey;
    const record = vm.held.find((r) => r.name === p.name && r.version === p.fingerprint && r.key === compiledPackageKeyId(key));
    const hit = record !== undefined || p.compiled ? undefined : await input.cache.get(key);
    if (record !== undefined) held.set(p.name, record);
    if (hit !== undefined) cached.set(p.name, hit);
  }
  const uploads = uploadArchives(agent, input.packages.filter((p) => !held.has(p.name) && !cached.has(p.name)), input.archives, ctx.signal);
  let compiled = false;
  try {
    const results = await runGraph<PackageSource & { dependencies: string[] }, CompiledPackageRef>(
      nodes,
      async (pkg, done) => {
        let ref: CompiledPackageRef | undefined;
        await ctx.reporter.step(`Compiling package '${pkg.name}/${pkg.fingerprint}'`, async () => {
          const key = keys.get(pkg.name) as CompiledPackageKey;
          const keyId = compiledPackageKeyId(key);
          const record = held.get(pkg.name);
          const outcome = record !== undefined ? { ref: refOf(record), source: "vm" as const } : await compileOne({ ctx, agent, keeper, uploads, vm }, pkg, key, done, cached.get(pkg.name));
          ref = outcome.ref;
          if (outcome.source !== "vm") await vm.remember({ ...outcome.ref, key: keyId });
          ctx.reporter.events.emit({ type: "compile-package", name: pkg.name, fingerprint: pkg.fingerprint, source: outcome.source });
          const skipped = SKIPPED[outcome.source];
          return skipped === undefined ? undefined : new Skipped(skipped);
        });
        if (ref === undefined) throw new Error(`package '${pkg.name}' produced no compiled blob`);
        return ref;
      },
      { concurrency: 2, signal: ctx.signal },
    );
    const refs = input.packages.map((p) => {
      const ref = results.get(p.name);
      if (ref === undefined) throw new Error(`package '${p.name}' was not compiled`);
      return ref;
    });
    compiled = true;
    return { refs, kept: keeper.settled() };
  } finally {
    await uploads.stop();
    // A compile that failed leaves nothing running behind it.
    if (!compiled) await keeper.settled().catch(() => undefined);
  }
}

/** What every package's compile works with. */
interface Compilation {
  ctx: StageContext;
  agent: AgentPort;
  keeper: CompiledPackageKeeper;
  uploads: ArchiveUploads;
  vm: VmPackages;
}

async function compileOne(
  { ctx, agent, keeper, uploads, vm }: Compilation,
  pkg: PackageSource,
  key: CompiledPackageKey,
  done: ReadonlyMap<string, CompiledPackageRef>,
  cached: { path: string } | undefined,
): Promise<{ ref: CompiledPackageRef; source: Exclude<Source, "vm"> }> {
  if (pkg.compiled) {
    const blob = await uploads.of(pkg.name);
    return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: pkg.sha1, blobstore_id: blob.blobId }, source: "compiled" };
  }
  if (cached !== undefined) {
    const blob = await agent.uploadBlob(cached.path, { signal: ctx.signal });
    return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: blob.sha1, blobstore_id: blob.blobId }, source: "cache" };
  }
  const source = await uploads.of(pkg.name);
  const deps: Record<string, CompiledPackageRef> = {};
  for (const dep of pkg.dependencies) {
    const ref = done.get(dep);
    if (ref === undefined) throw new Error(`dependency '${dep}' of '${pkg.name}' is not compiled`);
    deps[dep] = ref;
  }
  await vm.beforeCompile();
  const result = await agent.compilePackage({ blobstoreId: source.blobId, sha1: pkg.sha1, name: pkg.name, version: pkg.fingerprint, deps });
  keeper.keep(key, result);
  return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: result.sha1, blobstore_id: result.blobstoreId }, source: "release" };
}

function refOf(r: VmPackageRecord): CompiledPackageRef {
  return { name: r.name, version: r.version, sha1: r.sha1, blobstore_id: r.blobstore_id };
}

/**
 * The cache key: a compile is reusable only from the same source bytes (not merely the same
 * claimed fingerprint), on the same stemcell, with the same dependency closure.
 */
function cacheKey(
  pkg: PackageSource,
  byName: ReadonlyMap<string, PackageSource>,
  stemcell: { os: string; version: string },
): CompiledPackageKey {
  const closure = new Map<string, CompiledPackageSource>();
  const visit = (name: string): void => {
    const p = byName.get(name);
    if (p === undefined || closure.has(name)) return;
    closure.set(name, sourceOf(p));
    for (const d of p.dependencies) visit(d);
  };
  for (const d of pkg.dependencies) visit(d);
  return { stemcellOs: stemcell.os, stemcellVersion: stemcell.version, ...sourceOf(pkg), dependencies: [...closure.values()] };
}

function sourceOf(p: PackageSource): CompiledPackageSource {
  return { name: p.name, fingerprint: p.fingerprint, sourceSha256: p.archiveSha256 };
}
