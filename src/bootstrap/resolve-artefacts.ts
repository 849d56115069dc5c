/**
 * Resolves the manifest's releases and stemcell to local tarballs and their summaries
 * (release.MF / stemcell.MF only, cached by path, size and mtime), and checks that what the
 * manifest names exists in them. Nothing is extracted here, so a no-op run stays fast; only a
 * deploy's stemcell not in that cache is extracted while it is read (its image is needed then).
 * The artefacts are read side by side (gunzip runs on libuv's threads, tar parsing and hashing
 * here), and a failure is reported as reading them one after the other would have met it.
 */
import { BootstrapError } from "../common/index.js";
import type { Logger } from "../common/index.js";
import { fetchArtifact } from "../artefacts/index.js";
import { inspectRelease, type ReleaseSummary } from "../director-release/index.js";
import { inspectStemcell, requireSupportedStemcellApi, unpackStemcell, type StemcellSummary } from "../stemcell/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import type { BootstrapPaths } from "./paths.js";
import type { Reporter } from "./reporter.js";
import { Skipped } from "./reporter.js";

export interface ResolvedRelease {
  name: string;
  tarball: string;
  summary: ReleaseSummary;
}

export interface ResolvedArtefacts {
  releases: ResolvedRelease[];
  stemcell: {
    tarball: string;
    summary: StemcellSummary;
    /** The image's path, when the stemcell was extracted while it was validated. */
    image?: () => Promise<string>;
  };
}

export interface ResolveOptions {
  /** Where a stemcell not in the summary cache is extracted while it is read (deploy only). */
  stemcellDir?: () => Promise<string>;
}

/** Everything a deploy or plan reads: every release and the stemcell. */
export async function resolveArtefacts(
  manifest: BootstrapManifest,
  paths: BootstrapPaths,
  reporter: Reporter,
  logger: Logger,
  signal: AbortSignal,
  options: ResolveOptions = {},
): Promise<ResolvedArtefacts> {
  const [releases, stemcell] = await Promise.allSettled([
    resolveReleases(manifest.releases, paths, reporter, logger, signal),
    resolveStemcell(manifest.stemcell, paths, reporter, logger, signal, options),
  ]);
  checkJobsExist(manifest, settledValue(releases), true);
  return { releases: settledValue(releases), stemcell: settledValue(stemcell) };
}

async function resolveStemcell(
  ref: BootstrapManifest["stemcell"],
  paths: BootstrapPaths,
  reporter: Reporter,
  logger: Logger,
  signal: AbortSignal,
  options: ResolveOptions,
): Promise<ResolvedArtefacts["stemcell"]> {
  const tarball = await fetchStep(reporter, "Downloading stemcell", ref, paths, logger, signal);
  return reporter.step("Validating stemcell", async () => {
    const dir = options.stemcellDir;
    const read = dir === undefined ? { summary: await inspectStemcell(tarball, { cacheDir: paths.inspectCache }) } : await unpackStemcell(tarball, { cacheDir: paths.inspectCache, dir, signal });
    return { tarball, ...read, summary: requireSupportedStemcellApi(read.summary, tarball) };
  });
}

/** What a delete reads: only the CPI's releases (the director's may be gone by then). */
export async function resolveCpiReleases(
  manifest: BootstrapManifest,
  paths: BootstrapPaths,
  reporter: Reporter,
  logger: Logger,
  signal: AbortSignal,
): Promise<ResolvedRelease[]> {
  const names = new Set(manifest.cloudProvider.templates.map((t) => t.release));
  const releases = await resolveReleases(manifest.releases.filter((r) => names.has(r.name)), paths, reporter, logger, signal);
  checkJobsExist(manifest, releases, false);
  return releases;
}

async function resolveReleases(
  refs: BootstrapManifest["releases"],
  paths: BootstrapPaths,
  reporter: Reporter,
  logger: Logger,
  signal: AbortSignal,
): Promise<ResolvedRelease[]> {
  const settled = await Promise.allSettled(refs.map((ref) => resolveRelease(ref, paths, reporter, logger, signal)));
  return settled.map(settledValue);
}

async function resolveRelease(
  ref: BootstrapManifest["releases"][number],
  paths: BootstrapPaths,
  reporter: Reporter,
  logger: Logger,
  signal: AbortSignal,
): Promise<ResolvedRelease> {
  const tarball = await fetchStep(reporter, `Downloading release '${ref.name}'`, ref, paths, logger, signal);
  const summary = await reporter.step(`Validating release '${ref.name}'`, () => inspectRelease(tarball, { cacheDir: paths.inspectCache }));
  if (summary.name !== ref.name) {
    throw new BootstrapError("RELEASE_INVALID", `Release name '${ref.name}' does not match the name in release tarball '${summary.name}' (${tarball})`, {
      hint: `Point releases[name=${ref.name}].url at the '${ref.name}' release, or rename the entry to '${summary.name}'.`,
    });
  }
  if (ref.version !== undefined && ref.version !== "create" && ref.version !== "latest" && String(ref.version) !== summary.version) {
    throw new BootstrapError("RELEASE_INVALID", `Release '${ref.name}' is version ${summary.version} in ${tarball}, but the manifest asks for version ${String(ref.version)}`, {
      hint: "Update releases[].version in the manifest, or point url at the matching tarball.",
    });
  }
  return { name: ref.name, tarball, summary };
}

/** Every read is awaited before one failure is thrown: none goes on behind the error. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

async function fetchStep(
  reporter: Reporter,
  title: string,
  ref: { url: string; sha1?: string },
  paths: BootstrapPaths,
  logger: Logger,
  signal: AbortSignal,
): Promise<string> {
  let path = "";
  await reporter.step(title, async () => {
    const fetched = await fetchArtifact(ref, {
      cacheDir: paths.downloads,
      extraCaFile: paths.downloadExtraCaFile,
      logger,
      signal,
      onProgress: (bytes, total) =>
        reporter.events.emit({ type: "upload-progress", what: title, bytes, ...(total === undefined ? {} : { total }) }),
    });
    path = fetched.path;
    if (ref.url.startsWith("file://")) return new Skipped("Local file");
    return fetched.downloaded ? undefined : new Skipped("Found in local cache");
  });
  return path;
}

function checkJobsExist(manifest: BootstrapManifest, releases: readonly ResolvedRelease[], all: boolean): void {
  const errors: string[] = [];
  const find = (name: string): ResolvedRelease | undefined => releases.find((r) => r.name === name);
  manifest.cloudProvider.templates.forEach((t, i) => {
    const release = find(t.release);
    if (release !== undefined && !release.summary.jobs.some((j) => j.name === t.name)) {
      errors.push(`cloud_provider.templates[${i}]: release '${t.release}' has no job named '${t.name}'`);
    }
  });
  if (all) {
    manifest.instanceGroup.jobs.forEach((job, i) => {
      const release = find(job.release);
      if (release === undefined) errors.push(`instance_groups[0].jobs[${i}]: release '${job.release}' is not in releases`);
      else if (!release.summary.jobs.some((j) => j.name === job.name)) {
        errors.push(`instance_groups[0].jobs[${i}]: must refer to a job in '${job.release}', but there is no job named '${job.name}'`);
      }
    });
  }
  if (errors.length > 0) {
    throw new BootstrapError("MANIFEST_INVALID", `Manifest ${manifest.path} names jobs its releases do not have`, {
      details: errors,
      hint: "Fix the job or release names in the manifest, or point the releases at tarballs that contain those jobs.",
    });
  }
}
