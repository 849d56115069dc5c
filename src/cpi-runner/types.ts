import type { Logger } from "../common/index.js";

/** An installed CPI: its executable and the environment it needs. */
export interface CpiInstallation {
  cpiPath: string;
  /** BOSH_PACKAGES_DIR, BOSH_JOBS_DIR; added to (and overriding) the allow-listed part of our environment (child-env.ts). */
  env: Record<string, string>;
}

export interface CpiCallEvent {
  method: string;
  durationMs: number;
  ok: boolean;
}

export interface CpiClientOptions {
  installation: CpiInstallation;
  /** The state's director_id: sent as context.director_uuid. */
  directorUuid: string;
  /** The stemcell's api_version (stemcell.MF); sent as context.vm.stemcell.api_version when > 0. */
  stemcellApiVersion?: number;
  /** Where calls that create or delete something are journaled: `<state path>.cpi-journal/`. */
  journalDir: string;
  logger: Logger;
  /** Stops calls that change nothing at once; a call that creates or deletes is waited for. */
  signal?: AbortSignal;
  /** Per CPI process; default 60 minutes (creating a VM or uploading a stemcell can be slow). */
  callTimeoutMs?: number;
  /** Waits before each retry of a call that failed with ok_to_retry; its length bounds the retries. */
  retryDelaysMs?: readonly number[];
  onCall?: (event: CpiCallEvent) => void;
}
