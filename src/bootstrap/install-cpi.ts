/**
 * Installs the manifest's CPI from its extracted release(s): packages compiled on this machine
 * (cached by fingerprint and source digest) or, from a release compiled for this machine's OS,
 * unpacked as they are; the CPI job rendered; compile progress is reported as steps.
 */
import { join } from "node:path";
import { installCpi, readHostOs, type CpiInstallation, type PackageOrigin } from "../cpi-runner/index.js";
import { extractRelease, type ExtractedRelease } from "../director-release/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import type { BootstrapPaths } from "./paths.js";
import type { Reporter } from "./reporter.js";
import type { ResolvedRelease } from "./resolve-artefacts.js";
import type { Runtime } from "./runtime.js";

// bosh-cli's words for a package of a compiled release; a package compiled here before is ours.
const SKIP_REASONS: Partial<Record<PackageOrigin, string>> = { compiled: "Package already compiled", cache: "Found in local cache" };

export async function installCpiForManifest(
  manifest: BootstrapManifest,
  releases: readonly ResolvedRelease[],
  installationId: string,
  paths: BootstrapPaths,
  workDir: string,
  reporter: Reporter,
  rt: Runtime,
): Promise<CpiInstallation> {
  const names = [...new Set(manifest.cloudProvider.templates.map((t) => t.release))];
  const extracted: ExtractedRelease[] = [];
  for (const name of names) {
    const release = releases.find((r) => r.name === name);
    if (release === undefined) throw new Error(`CPI release '${name}' was not resolved`);
    extracted.push(await extractRelease(release.tarball, join(workDir, "cpi-releases", name)));
  }
  return installCpi({
    releases: extracted,
    templates: manifest.cloudProvider.templates,
    properties: manifest.cloudProvider.properties,
    deploymentName: manifest.name,
    hostOs: await readHostOs(rt.env),
    installationDir: join(paths.installations, installationId),
    logger: rt.logger,
    signal: rt.signal,
    onEvent: (e) => {
      if (e.kind === "warning") reporter.warn(e.message);
      if (e.kind === "compile-package") {
        const step = `Compiling package '${e.name}/${e.fingerprint}'`;
        reporter.events.emit({ type: "step-started", step, stage: "installing CPI" });
        const reason = SKIP_REASONS[e.source];
        reporter.events.emit({
          type: "step-finished",
          step,
          stage: "installing CPI",
          outcome: reason === undefined ? "finished" : "skipped",
          ...(reason === undefined ? {} : { reason }),
          durationMs: e.durationMs,
        });
      }
    },
  });
}
