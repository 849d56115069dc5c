/**
 * Compiles the instance group's packages on the VM in dependency order. A package is uploaded
 * as-is when the release is compiled, taken from the local compiled-package cache when an
 * identical compile (same stemcell, and the same source bytes for it and every dependency) was
 * kept before, and otherwise compiled by the agent and then downloaded into that cache — so
 * replacing the VM later re-uploads instead of recompiling. Two packages are in flight at once,
 * so the next source blob uploads while the agent compiles (the agent compiles one at a time).
 * Filling the cache never fails a deploy: where the agent does not let its compiled blobs be
 * downloaded, they stay on the VM and are referenced by blobstore id, as bosh-cli does.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { runGraph } from "../common/index.js";
import type { CompiledPackageKey, CompiledPackageSource, ReleasePackage } from "../director-release/index.js";
import { keepCompiledPackages, type CompiledPackageKeeper } from "./keep-compiled-packages.js";
import type { CompiledPackageRef } from "./instance-spec.js";
import type { AgentPort, StageContext } from "./ports.js";
import { Skipped } from "./reporter.js";

export type PackageSource = Pick<ReleasePackage, "name" | "fingerprint" | "sha1" | "archiveSha256" | "dependencies" | "archivePath" | "compiled">;

/** The slice of the compiled-package cache that compilation uses. */
export interface CompiledPackageCachePort {
  get(key: CompiledPackageKey): Promise<{ path: string; sha1: string } | undefined>;
  put(key: CompiledPackageKey, sourcePath: string, sha1: string): Promise<unknown>;
}

export interface CompileInput {
  packages: readonly PackageSource[];
  stemcell: { os: string; version: string };
  cache: CompiledPackageCachePort;
  workDir: string;
}

export async function compilePackagesOnVm(ctx: StageContext, agent: AgentPort, input: CompileInput): Promise<CompiledPackageRef[]> {
  const byName = new Map(input.packages.map((p) => [p.name, p]));
  const nodes = input.packages.map((p) => ({ ...p, dependencies: p.dependencies }));
  const downloads = await mkdtemp(join(input.workDir, "compiled-"));
  const keeper = keepCompiledPackages({ ctx, agent, cache: input.cache, dir: downloads });
  try {
    const results = await runGraph<PackageSource & { dependencies: string[] }, CompiledPackageRef>(
      nodes,
      async (pkg, done) => {
        let ref: CompiledPackageRef | undefined;
        await ctx.reporter.step(`Compiling package '${pkg.name}/${pkg.fingerprint}'`, async () => {
          const outcome = await compileOne(ctx, agent, pkg, done, byName, input, keeper);
          ref = outcome.ref;
          ctx.reporter.events.emit({ type: "compile-package", name: pkg.name, fingerprint: pkg.fingerprint, source: outcome.source });
          if (outcome.source === "compiled") return new Skipped("Package already compiled");
          if (outcome.source === "cache") return new Skipped("Found in local compiled-package cache");
          return undefined;
        });
        if (ref === undefined) throw new Error(`package '${pkg.name}' produced no compiled blob`);
        return ref;
      },
      { concurrency: 2, signal: ctx.signal },
    );
    return input.packages.map((p) => {
      const ref = results.get(p.name);
      if (ref === undefined) throw new Error(`package '${p.name}' was not compiled`);
      return ref;
    });
  } finally {
    await rm(downloads, { recursive: true, force: true });
  }
}

async function compileOne(
  ctx: StageContext,
  agent: AgentPort,
  pkg: PackageSource,
  done: ReadonlyMap<string, CompiledPackageRef>,
  byName: ReadonlyMap<string, PackageSource>,
  input: CompileInput,
  keeper: CompiledPackageKeeper,
): Promise<{ ref: CompiledPackageRef; source: "compiled" | "cache" | "release" }> {
  if (pkg.compiled) {
    const blob = await agent.uploadBlob(pkg.archivePath, { signal: ctx.signal });
    return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: pkg.sha1, blobstore_id: blob.blobId }, source: "compiled" };
  }
  const key = cacheKey(pkg, byName, input.stemcell);
  const cached = await input.cache.get(key);
  if (cached !== undefined) {
    const blob = await agent.uploadBlob(cached.path, { signal: ctx.signal });
    return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: blob.sha1, blobstore_id: blob.blobId }, source: "cache" };
  }
  const source = await agent.uploadBlob(pkg.archivePath, { signal: ctx.signal });
  const deps: Record<string, CompiledPackageRef> = {};
  for (const dep of pkg.dependencies) {
    const ref = done.get(dep);
    if (ref === undefined) throw new Error(`dependency '${dep}' of '${pkg.name}' is not compiled`);
    deps[dep] = ref;
  }
  const result = await agent.compilePackage({ blobstoreId: source.blobId, sha1: pkg.sha1, name: pkg.name, version: pkg.fingerprint, deps });
  await keeper.keep(key, pkg.name, result);
  return { ref: { name: pkg.name, version: pkg.fingerprint, sha1: result.sha1, blobstore_id: result.blobstoreId }, source: "release" };
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
