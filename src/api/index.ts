/**
 * The library: what the CLI does, for TypeScript automation (inception scripts, CI pipelines).
 * Each call takes the CLI's flags as typed options, reports progress as the typed events
 * `--json` prints, stops on its AbortSignal, and resolves to a typed result or rejects with a
 * BootstrapError (stable `code`, `hint`). Nothing here writes to stdout or stderr or ends the
 * process; the redacted debug log is the only output. The machinery is loaded on the first call.
 */
import type { DeleteResult, DeployResult, EnvResult, PlanResult, StopStartResult } from "../bootstrap/index.js";
import type { Evaluated } from "../manifest/index.js";
import type { DeployOptions, EnvOptions, InterpolateOptions, PlanOptions, RemoveOptions, StartOptions, StopOptions } from "./options.js";
import { DEFAULT_AGENT_TIMEOUT_MS } from "./options.js";
import { asInterruption } from "./interruption.js";
import { manifestOptions, runCommand } from "./run-command.js";

export type { BootstrapEvent, StepOutcome, DeployResult, DeleteResult, PlanResult, EnvResult, StopStartResult, DeployPlan, DeployStep, DeleteStep } from "../bootstrap/index.js";
export type { DeployOptions, EnvOptions, InterpolateOptions, ManifestInputs, PlanOptions, RemoveOptions, RunOptions, StartOptions, StateInputs, StopOptions } from "./options.js";
export { BootstrapError, isBootstrapError } from "../common/index.js";
export { DEFAULT_AGENT_TIMEOUT_MS } from "./options.js";
export { packageVersion } from "./version.js";
export { asInterruption } from "./interruption.js";

/** `bootstrap deploy`: create or update the director (bosh create-env). */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  return runCommand("deploy", options, async (rt) => {
    const { runDeploy } = await import("../bootstrap/index.js");
    return runDeploy(
      {
        ...manifestOptions(options),
        recreate: options.recreate === true,
        recreatePersistentDisks: options.recreatePersistentDisks === true,
        skipDrain: options.skipDrain === true,
        agentTimeoutMs: options.agentTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS,
      },
      rt,
    );
  });
}

/** `bootstrap delete`: delete the VM, disks and stemcells recorded in the state file (bosh delete-env). */
export async function remove(options: RemoveOptions): Promise<DeleteResult> {
  return runCommand("delete", options, async (rt) => {
    const { runDelete } = await import("../bootstrap/index.js");
    return runDelete({ ...manifestOptions(options), skipDrain: options.skipDrain === true }, rt);
  });
}

/** `bootstrap plan`: what deploy would do and why; writes nothing. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  return runCommand("plan", options, async (rt) => {
    const { runPlan } = await import("../bootstrap/index.js");
    return runPlan({ ...manifestOptions(options), recreate: options.recreate === true, recreatePersistentDisks: options.recreatePersistentDisks === true }, rt);
  });
}

/** `bootstrap env`: how a client reaches the deployed director (BOSH_ENVIRONMENT, BOSH_CA_CERT, BOSH_CLIENT, BOSH_CLIENT_SECRET); writes nothing. */
export async function env(options: EnvOptions): Promise<EnvResult> {
  return runCommand("env", options, async (rt) => {
    const { runEnv } = await import("../bootstrap/index.js");
    return runEnv(manifestOptions(options), rt);
  });
}

/** `bootstrap stop`: stop the director's jobs, keep its VM and disk (bosh stop-env). */
export async function stop(options: StopOptions): Promise<StopStartResult> {
  return runCommand("stop", options, async (rt) => {
    const { runStop } = await import("../bootstrap/index.js");
    return runStop({ ...manifestOptions(options), skipDrain: options.skipDrain === true, agentTimeoutMs: options.agentTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS }, rt);
  });
}

/** `bootstrap start`: start the jobs again and wait until they run (bosh start-env). */
export async function start(options: StartOptions): Promise<StopStartResult> {
  return runCommand("start", options, async (rt) => {
    const { runStart } = await import("../bootstrap/index.js");
    return runStart({ ...manifestOptions(options), agentTimeoutMs: options.agentTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS }, rt);
  });
}

/** What `interpolate` gives: the YAML `bosh int` prints, the same document parsed, and the variables it generated into the vars store. */
export interface Interpolated {
  yaml: string;
  document: unknown;
  generated: string[];
}

/** `bootstrap interpolate` (bosh int): ops files and variables applied, generated variables written to the vars store. */
export async function interpolate(options: InterpolateOptions & { readStdin?: () => Promise<string> }): Promise<Interpolated> {
  const { evaluateManifest } = await import("../manifest/index.js");
  const { manifestPath, opsFiles, varFlags } = manifestOptions(options);
  const signal = options.signal ?? new AbortController().signal;
  const evaluated: Evaluated = await evaluateManifest(
    {
      manifestPath,
      opsFiles,
      varFlags,
      env: options.env ?? process.env,
      cwd: options.cwd ?? process.cwd(),
      generation: "write",
      signal,
      ...(options.readStdin === undefined ? {} : { readStdin: options.readStdin }),
    },
    { expectAllKeys: options.varErrs === true, expectAllVarsUsed: options.varErrsUnused === true },
  ).catch((error: unknown) => {
    throw asInterruption(error, signal);
  });
  return { yaml: evaluated.yaml, document: evaluated.document, generated: evaluated.generated };
}
