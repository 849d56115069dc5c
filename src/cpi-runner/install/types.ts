import type { Logger } from "../../common/index.js";
import type { ExtractedRelease } from "../../director-release/index.js";

/** What running the installed CPI needs: its executable and the env its templates expect. */
export interface CpiInstallation {
  cpiPath: string;
  /** BOSH_PACKAGES_DIR and BOSH_JOBS_DIR, as bosh-cli sets them for CPI calls. */
  env: Record<string, string>;
}

export type InstallEvent =
  | { kind: "compile-package"; name: string; fingerprint: string; cached: boolean; durationMs: number }
  | { kind: "render-jobs"; durationMs: number };

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
