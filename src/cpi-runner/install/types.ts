import type { Logger } from "../../common/index.js";
import type { ExtractedRelease } from "../../director-release/index.js";
import type { CpiInstallation } from "../types.js";
import type { HostOs } from "./host-os.js";

/** What running the installed CPI needs (the runner's type): bin/cpi and BOSH_PACKAGES_DIR/BOSH_JOBS_DIR. */
export type { CpiInstallation };

/** Where an installed package came from: the release compiled, the installation's cache, or compiled here from the release's source. */
export type PackageOrigin = "compiled" | "cache" | "release";

export type InstallEvent =
  | { kind: "compile-package"; name: string; fingerprint: string; source: PackageOrigin; durationMs: number }
  | { kind: "render-jobs"; durationMs: number; reused: boolean }
  /** e.g. a cached compiled package whose blob no longer matched its digest (it is recompiled), or a compiled CPI release for another OS (its source packages are compiled). */
  | { kind: "warning"; message: string };

export interface InstallCpiOptions {
  releases: ExtractedRelease[];
  /** cloud_provider.template(s) */
  templates: { name: string; release: string }[];
  /** cloud_provider.properties */
  properties: Record<string, unknown>;
  deploymentName: string;
  /** The stemcell OS line this machine counts as (readHostOs): a compiled CPI release is installed as it is only when it was compiled for it. Default: none. */
  hostOs?: HostOs | undefined;
  /** e.g. ~/.bootstrap/installations/<installation_id> */
  installationDir: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: InstallEvent) => void) | undefined;
}
