/** What a command flow receives from the CLI: where to report, log, and when to stop. */
import type { Logger } from "../common/index.js";
import type { EventSink } from "./events.js";

export interface Runtime {
  events: EventSink;
  logger: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Recorded in the state as what made the last deploy, e.g. "bootstrap 0.1.0". */
  tool?: string;
}

export interface ManifestOptions {
  manifestPath: string;
  statePath?: string | undefined;
  opsFiles: string[];
  varFlags: import("../manifest/index.js").VarFlags;
}
