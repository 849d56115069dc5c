/**
 * Renders a corpus manifest the way `bootstrap deploy` does, in-process and without a VM:
 * the manifest through src/manifest; the instance group's jobs rendered and archived by the
 * deploy's own wiring (prepareInstanceWork) with the address update-instance hands it for a
 * static IP; the CPI jobs rendered and installed by the CPI installer's renderCpiJobs.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { prepareInstanceWork } from "../../../src/bootstrap/instance-work.js";
import type { ResolvedRelease } from "../../../src/bootstrap/resolve-artefacts.js";
import { renderCpiJobs } from "../../../src/cpi-runner/install/install-jobs.js";
import { resolveCpiJobs } from "../../../src/cpi-runner/install/resolve-cpi-packages.js";
import { extractRelease, inspectRelease } from "../../../src/director-release/index.js";
import { loadBootstrapManifest, type BootstrapManifest } from "../../../src/manifest/index.js";

/** The archive (or the installed CPI jobs' directory) on success; the thrown error when rendering, or anything before it, failed. */
export type BootstrapRender = { archive: string } | { error: unknown };
export type BootstrapCpiRender = { jobsDir: string } | { error: unknown };

async function loadManifest(manifestPath: string, vars: Record<string, string>): Promise<BootstrapManifest> {
  const { manifest } = await loadBootstrapManifest({
    manifestPath,
    opsFiles: [],
    varFlags: { vars },
    env: {},
    cwd: dirname(manifestPath),
    generation: "dry-run",
  });
  return manifest;
}

const tarballOf = (manifest: BootstrapManifest, url: string): string => resolve(manifest.dir, url.replace(/^file:\/\//, ""));

export async function renderWithBootstrap(manifestPath: string, vars: Record<string, string>, workDir: string): Promise<BootstrapRender> {
  try {
    mkdirSync(workDir, { recursive: true });
    const manifest = await loadManifest(manifestPath, vars);
    const releases: ResolvedRelease[] = [];
    for (const ref of manifest.releases) {
      const tarball = tarballOf(manifest, ref.url);
      releases.push({ name: ref.name, tarball, summary: await inspectRelease(tarball, { cacheDir: join(workDir, "inspect-cache") }) });
    }
    const work = await prepareInstanceWork(manifest, releases, workDir);
    const rendered = await work.renderJobs(manifest.address, manifest.networks as Record<string, unknown>);
    return { archive: rendered.path };
  } catch (error) {
    return { error };
  }
}

export async function renderCpiWithBootstrap(manifestPath: string, vars: Record<string, string>, workDir: string): Promise<BootstrapCpiRender> {
  try {
    const manifest = await loadManifest(manifestPath, vars);
    const names = new Set(manifest.cloudProvider.templates.map((t) => t.release));
    const releases = [];
    for (const ref of manifest.releases.filter((r) => names.has(r.name))) {
      releases.push(await extractRelease(tarballOf(manifest, ref.url), join(workDir, "releases", ref.name)));
    }
    const jobsDir = join(workDir, "jobs");
    await renderCpiJobs(resolveCpiJobs(releases, manifest.cloudProvider.templates), manifest.cloudProvider.properties, manifest.name, jobsDir);
    return { jobsDir };
  } catch (error) {
    return { error };
  }
}
