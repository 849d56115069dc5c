/**
 * The action table: method name → how it runs (sync/async, cancellable) and what it does.
 * Each action's work lives in a module named after it; this file only binds arguments.
 */
import type { Logger } from "../../common/index.js";
import type { Blobstore } from "./blobstore.js";
import type { DiskManager } from "./disks.js";
import type { Action } from "./dispatcher.js";
import type { AgentPaths } from "./paths.js";
import type { SettingsService } from "./settings.js";
import type { JobSupervisor } from "./supervisor/job-supervisor.js";

export interface AgentServices {
  paths: AgentPaths;
  settingsService: SettingsService;
  blobstore: Blobstore;
  supervisor: JobSupervisor;
  disks: DiskManager;
  logger: Logger;
}

export function buildActions(_services: AgentServices): Record<string, Action> {
  return {
    ping: { async: false, run: async () => "pong" },
    info: { async: false, run: async () => ({ api_version: 1 }) },
  };
}
