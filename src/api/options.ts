/** The library's options: the CLI's flags as typed fields, plus how to report and when to stop. */
import type { BootstrapEvent } from "../bootstrap/index.js";

/** A manifest and what is applied to it: bosh's -o, -v, --var-file, -l, --vars-env and --vars-store. */
export interface ManifestInputs {
  /** Path of the manifest (relative to `cwd`); its relative file:// URLs resolve against its own directory. */
  manifest: string;
  /** -o/--ops-file, applied in order. */
  opsFiles?: string[];
  /** -v name=value (each value read as YAML). */
  vars?: Record<string, string>;
  /** --var-file name=path. */
  varFiles?: Record<string, string>;
  /** -l/--vars-file, later files win. */
  varsFiles?: string[];
  /** --vars-env PREFIX: variables from PREFIX_name environment variables (of `env`). */
  varsEnv?: string[];
  /** --vars-store: read variables from it and generate missing ones into it. */
  varsStore?: string;
}

/** How a call reports, where it runs, and when it stops. */
export interface RunOptions {
  /** Every progress event, the same objects `--json` prints (without `time`). Called synchronously; must not throw. */
  onEvent?: (event: BootstrapEvent) => void;
  /** Aborting ends the call at the next safe point; it rejects with a BootstrapError of code INTERRUPTED and the state file records everything done. */
  signal?: AbortSignal;
  /** Resolves relative paths; default process.cwd(). */
  cwd?: string;
  /** HOME (~/.bootstrap caches and the local provider's VMs), BOOTSTRAP_HOME, proxies, --vars-env sources; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The redacted debug log; default ~/.bootstrap/logs/<time>-<command>-<pid>.log. */
  logFile?: string;
}

/** Commands that read or write a state file: --state, default <manifest>-state.json beside the manifest. */
export interface StateInputs extends ManifestInputs {
  state?: string;
}

export interface DeployOptions extends StateInputs, RunOptions {
  recreate?: boolean;
  recreatePersistentDisks?: boolean;
  /** Do not run the jobs' drain scripts before stopping them. */
  skipDrain?: boolean;
  /** How long to wait for the VM's agent; default 600 000. */
  agentTimeoutMs?: number;
}

export interface RemoveOptions extends StateInputs, RunOptions {
  skipDrain?: boolean;
}

export interface PlanOptions extends StateInputs, RunOptions {
  recreate?: boolean;
  recreatePersistentDisks?: boolean;
}

export type EnvOptions = StateInputs & RunOptions;

export interface StopOptions extends StateInputs, RunOptions {
  skipDrain?: boolean;
  agentTimeoutMs?: number;
}

export interface StartOptions extends StateInputs, RunOptions {
  agentTimeoutMs?: number;
}

export interface InterpolateOptions extends ManifestInputs, Omit<RunOptions, "onEvent" | "logFile"> {
  /** --var-errs: fail when a variable has no value. */
  varErrs?: boolean;
  /** --var-errs-unused: fail when a given variable is not used. */
  varErrsUnused?: boolean;
}

export const DEFAULT_AGENT_TIMEOUT_MS = 600_000;
