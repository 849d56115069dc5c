/**
 * Renders a corpus manifest the way `bootstrap deploy` does, in-process and without a VM:
 * the manifest through src/manifest, its releases extracted and its instance group's jobs
 * rendered and archived by the deploy's own wiring (prepareInstanceWork), with the address and
 * networks update-instance hands it for a static IP.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { prepareInstanceWork } from "../../../src/bootstrap/wiring.js";
import type { ResolvedRelease } from "../../../src/bootstrap/resolve-artefacts.js";
import { inspectRelease } from "../../../src/director-release/index.js";
import { loadBootstrapManifest } from "../../../src/manifest/index.js";

/** The archive path on success; the thrown error when rendering (or anything before it) failed. */
export type BootstrapRender = { archive: string } | { error: unknown };

export async function renderWithBootstrap(manifestPath: string, vars: Record<string, string>, workDir: string): Promise<BootstrapRender> {
  try {
    mkdirSync(workDir, { recursive: true });
    const { manifest } = await loadBootstrapManifest({
      manifestPath,
      opsFiles: [],
      varFlags: { vars },
      env: {},
      cwd: dirname(manifestPath),
      generation: "dry-run",
    });
    const releases: ResolvedRelease[] = [];
    for (const ref of manifest.releases) {
      const tarball = resolve(manifest.dir, ref.url.replace(/^file:\/\//, ""));
      releases.push({ name: ref.name, tarball, summary: await inspectRelease(tarball, { cacheDir: join(workDir, "inspect-cache") }) });
    }
    const work = await prepareInstanceWork(manifest, releases, workDir);
    const rendered = await work.renderJobs(manifest.address, manifest.networks as Record<string, unknown>);
    return { archive: rendered.path };
  } catch (error) {
    return { error };
  }
}
