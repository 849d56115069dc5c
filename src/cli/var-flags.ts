/**
 * The variable and ops-file flags shared by every command that reads a manifest (interpolate,
 * deploy, delete, plan), with bosh-cli's names: -v/--var, --var-file, -l/--vars-file,
 * --vars-env, --vars-store, -o/--ops-file (repeatable ones keep their order).
 */
import type { Command } from "commander";
import { BootstrapError } from "../common/index.js";
import type { StateInputs } from "../api/index.js";

export interface VarOptionValues {
  var: string[];
  varFile: string[];
  varsFile: string[];
  varsEnv: string[];
  varsStore?: string;
  opsFile: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addVarFlags(command: Command): Command {
  return command
    .option("-o, --ops-file <PATH>", "load manifest operations from a YAML file (repeatable, applied in order)", collect, [])
    .option("-v, --var <NAME=VALUE>", "set a variable (value read as YAML; repeatable)", collect, [])
    .option("--var-file <NAME=PATH>", "set a variable to a file's contents (repeatable)", collect, [])
    .option("-l, --vars-file <PATH>", "load variables from a YAML file (repeatable)", collect, [])
    .option("--vars-env <PREFIX>", "load variables from environment variables PREFIX_name=value (repeatable)", collect, [])
    .option("--vars-store <PATH>", "load variables from, and save generated ones to, a YAML file");
}

/** The library's inputs for MANIFEST and the flags: variable flags checked, --state where the command has it. */
export function manifestInputs(manifest: string, options: VarOptionValues & { state?: string }): StateInputs {
  const inputs: StateInputs = { manifest, opsFiles: options.opsFile };
  if (options.var.length > 0) inputs.vars = pairs(options.var, "value", "-v/--var");
  if (options.varFile.length > 0) inputs.varFiles = pairs(options.varFile, "path", "--var-file");
  if (options.varsFile.length > 0) inputs.varsFiles = nonEmpty(options.varsFile, "-l/--vars-file", "Expected file path to be non-empty");
  if (options.varsEnv.length > 0) inputs.varsEnv = nonEmpty(options.varsEnv, "--vars-env", "Expected environment variable prefix to be non-empty");
  if (options.varsStore !== undefined) inputs.varsStore = nonEmpty([options.varsStore], "--vars-store", "Expected file path to be non-empty")[0] as string;
  if (options.state !== undefined) inputs.state = options.state;
  return inputs;
}

/** NAME=VALUE pairs; a later pair for the same name wins, as in bosh-cli. */
function pairs(items: string[], what: "value" | "path", flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const fail = (message: string): never => {
      throw new BootstrapError("USAGE", `${flag}: ${message}`, { hint: `Write it as ${flag.split("/").pop() ?? flag} name=${what}.` });
    };
    if (eq < 0) fail(`Expected var '${item}' to be in format 'name=${what}'`);
    if (eq === 0) fail(`Expected var '${item}' to specify non-empty name`);
    if (eq === item.length - 1) fail(`Expected var '${item}' to specify non-empty ${what}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function nonEmpty(items: string[], flag: string, message: string): string[] {
  if (items.some((i) => i === "")) throw new BootstrapError("USAGE", `${flag}: ${message}`, { hint: `Give ${flag} a value.` });
  return items;
}
