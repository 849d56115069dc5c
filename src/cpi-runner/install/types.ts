import type { Logger } from "../../common/index.js";
import type { ExtractedRelease } from "../../director-release/index.js";
import type { CpiInstallation } from "../types.js";

/** What running the installed CPI needs (the runner's type): bin/cpi and BOSH_PACKAGES_DIR/BOSH_JOBS_DIR. */
export type { CpiInstallation };

export type InstallEvent =
  | { kind: "compile-package"; name: string; fingerprint: string; cached: boolean; durationMs: number }
  | { kind: "render-jobs"; durationMs: number; reused: boolean }
  /** e.g. a cached compiled package whose blob no longer matched its digest (it is recompiled). */
  | { kind: "warning"; message: string };

export interface InstallCpiOptions {
  releases: ExtractedRelease[];
  /** cloud_provider.template(s) */
  templates: { name: string; release: string }[];
  /** cloud_provider.properties */
  properties: Record<string, unknown>;
  deploymentName: string;
  /** e.g. ~/.bootstrap/installations/<installation_id> */
  installationDir: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: InstallEvent) => void) | undefined;
}
