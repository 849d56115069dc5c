/**
 * `deploy`, `delete`, `plan`, `stop` and `start`: bosh create-env/delete-env/stop-env/start-env
 * flags, plus --json, --agent-timeout.
 * These only parse, pick a renderer and print the closing summary; the work is the library's (src/api).
 */
import type { Command } from "commander";
import { BootstrapError } from "../../common/index.js";
import type { DeployResult, PlanResult } from "../../bootstrap/index.js";
import { DEFAULT_AGENT_TIMEOUT_MS, deploy, plan, remove, start, stop } from "../../api/index.js";
import type { CliIo } from "../io.js";
import { writeLine } from "../io.js";
import type { CliRuntime } from "../runtime.js";
import { addVarFlags, manifestInputs, type VarOptionValues } from "../var-flags.js";
import { withRuntime } from "./with-runtime.js";

interface CommonOptions extends VarOptionValues {
  state?: string;
  json?: boolean;
}

interface DeployFlags extends CommonOptions {
  recreate?: boolean;
  recreatePersistentDisks?: boolean;
  skipDrain?: boolean;
  agentTimeout: string;
}

const DEFAULT_AGENT_TIMEOUT_S = String(DEFAULT_AGENT_TIMEOUT_MS / 1000);

export function registerLifecycleCommands(program: Command, io: CliIo): void {
  addVarFlags(
    program
      .command("deploy")
      .description("create or update the director VM described by MANIFEST (bosh create-env)")
      .argument("<MANIFEST>", "path to the bootstrap manifest"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--recreate", "replace the VM even if nothing changed")
    .option("--recreate-persistent-disks", "migrate the persistent disk to a new disk even if it did not change")
    .option("--skip-drain", "do not run the jobs' drain scripts before stopping them")
    .option("--agent-timeout <SECONDS>", "how long to wait for the VM's agent to answer", DEFAULT_AGENT_TIMEOUT_S)
    .option("--json", "print one JSON event per line on stdout instead of progress")
    .action(async (manifest: string, flags: DeployFlags) => {
      await withRuntime(io, "deploy", { json: flags.json === true }, async (rt) => {
        const result = await deploy({
          ...manifestInputs(manifest, flags),
          recreate: flags.recreate === true,
          recreatePersistentDisks: flags.recreatePersistentDisks === true,
          skipDrain: flags.skipDrain === true,
          agentTimeoutMs: parseSeconds(flags.agentTimeout, "--agent-timeout") * 1000,
          ...rt.run,
        });
        await rt.finish();
        printDeploySummary(io, rt, result, flags.json === true);
      });
    });

  addVarFlags(
    program
      .command("delete")
      .description("delete the director VM, its disks and stemcells recorded in the state file (bosh delete-env)")
      .argument("<MANIFEST>", "path to the bootstrap manifest"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--skip-drain", "do not run the jobs' drain scripts before stopping them")
    .option("--json", "print one JSON event per line on stdout instead of progress")
    .action(async (manifest: string, flags: CommonOptions & { skipDrain?: boolean }) => {
      await withRuntime(io, "delete", { json: flags.json === true }, async (rt) => {
        const result = await remove({ ...manifestInputs(manifest, flags), skipDrain: flags.skipDrain === true, ...rt.run });
        await rt.finish();
        if (flags.json === true) rt.events.emit({ type: "result", summary: { ...result } });
        else writeLine(io.stdout, result.deleted ? `Succeeded: deleted everything recorded in '${result.statePath}'.` : "Succeeded: nothing to delete.");
      });
    });

  addVarFlags(
    program
      .command("plan")
      .description("show what deploy would change and why, changing nothing (no lock, no state or vars-store write, no CPI call)")
      .argument("<MANIFEST>", "path to the bootstrap manifest"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--recreate", "plan as if --recreate were given")
    .option("--recreate-persistent-disks", "plan as if --recreate-persistent-disks were given")
    .option("--json", "print one JSON event per line on stdout instead of progress")
    .action(async (manifest: string, flags: CommonOptions & { recreate?: boolean; recreatePersistentDisks?: boolean }) => {
      await withRuntime(io, "plan", { json: flags.json === true }, async (rt) => {
        const { describeStep } = await import("../../bootstrap/index.js");
        const result = await plan({
          ...manifestInputs(manifest, flags),
          recreate: flags.recreate === true,
          recreatePersistentDisks: flags.recreatePersistentDisks === true,
          ...rt.run,
        });
        await rt.finish();
        if (flags.json === true) rt.events.emit({ type: "result", summary: { ...result } });
        else printPlan(io, result, describeStep);
      });
    });

  addVarFlags(
    program
      .command("stop")
      .description("stop the director's jobs (pre-stop, drain, stop, post-stop) and keep its VM and disk (bosh stop-env)")
      .argument("<MANIFEST>", "path to the bootstrap manifest"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--skip-drain", "do not run the jobs' drain scripts before stopping them")
    .option("--agent-timeout <SECONDS>", "how long to wait for the VM's agent to answer", DEFAULT_AGENT_TIMEOUT_S)
    .option("--json", "print one JSON event per line on stdout instead of progress")
    .action(async (manifest: string, flags: CommonOptions & { skipDrain?: boolean; agentTimeout: string }) => {
      await withRuntime(io, "stop", { json: flags.json === true }, async (rt) => {
        const result = await stop({
          ...manifestInputs(manifest, flags),
          skipDrain: flags.skipDrain === true,
          agentTimeoutMs: parseSeconds(flags.agentTimeout, "--agent-timeout") * 1000,
          ...rt.run,
        });
        await rt.finish();
        if (flags.json === true) rt.events.emit({ type: "result", summary: { ...result } });
        else writeLine(io.stdout, `Succeeded: stopped the jobs of '${result.instance}'; VM '${result.vmCid}' and its disk are kept ('bootstrap start' starts them).`);
      });
    });

  addVarFlags(
    program
      .command("start")
      .description("start the director's jobs again and wait until they run (bosh start-env)")
      .argument("<MANIFEST>", "path to the bootstrap manifest"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--agent-timeout <SECONDS>", "how long to wait for the VM's agent to answer", DEFAULT_AGENT_TIMEOUT_S)
    .option("--json", "print one JSON event per line on stdout instead of progress")
    .action(async (manifest: string, flags: CommonOptions & { agentTimeout: string }) => {
      await withRuntime(io, "start", { json: flags.json === true }, async (rt) => {
        const result = await start({ ...manifestInputs(manifest, flags), agentTimeoutMs: parseSeconds(flags.agentTimeout, "--agent-timeout") * 1000, ...rt.run });
        await rt.finish();
        if (flags.json === true) rt.events.emit({ type: "result", summary: { ...result } });
        else writeLine(io.stdout, `Succeeded: the jobs of '${result.instance}' are running.`);
      });
    });
}

function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new BootstrapError("USAGE", `${flag} must be a positive number of seconds, got '${value}'`, { hint: `For example ${flag} 600.` });
  }
  return n;
}

function printDeploySummary(io: CliIo, rt: CliRuntime, result: DeployResult, json: boolean): void {
  if (json) {
    rt.events.emit({ type: "result", summary: { ...result } });
    return;
  }
  const unchanged = result.startedStoppedJobs ? "Succeeded (no changes; started the stopped jobs again)" : "Succeeded (no changes)";
  const lines = result.changed ? ["", "Succeeded", "", "Changes:", ...result.changes.map((c) => `  - ${c}`)] : ["", unchanged];
  lines.push(`State file: ${result.statePath}`);
  if (result.varsStore !== undefined) lines.push(`Vars store: ${result.varsStore}`);
  if (result.generated.length > 0) lines.push(`Generated variables: ${result.generated.join(", ")}`);
  lines.push(`VM address: ${result.address}`);
  if (result.directorUrl !== undefined) {
    lines.push(`Director: ${result.directorUrl}`);
    if (result.varsStore !== undefined) {
      lines.push(`  its CA: bootstrap interpolate ${result.varsStore} --path /director_ssl/ca`);
    }
  }
  for (const line of lines) writeLine(io.stdout, line);
}

function printPlan(io: CliIo, result: PlanResult, describeStep: (step: PlanResult["plan"]["steps"][number]) => string): void {
  const { plan } = result;
  const out: string[] = [""];
  if (!result.stateExists) out.push(`No state file at '${result.statePath}': this would be a first deploy.`);
  if (plan.steps.length === 0) {
    out.push("No deployment, stemcell or release changes: deploy would do nothing.");
  } else {
    if (plan.changes.length > 0) out.push("Deploy would, because:", ...plan.changes.map((c) => `  - ${c}`), "");
    out.push("Steps:");
    plan.steps.forEach((step, i) => out.push(`  ${i + 1}. ${describeStep(step)} — ${step.reason}`));
  }
  for (const note of plan.notes) out.push(`Note: ${note}`);
  if (result.wouldGenerate.length > 0) out.push(`Variables it would generate into the vars store: ${result.wouldGenerate.join(", ")}`);
  for (const line of out) writeLine(io.stdout, line);
}
