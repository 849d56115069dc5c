/**
 * Builds the flag-given variables in bosh-cli's precedence (later wins): --vars-env, -l,
 * --var-file, -v. Values of -v and --vars-env are read as YAML (so `-v port=25555` is a number
 * and `-v list=[a,b]` a list) unless they read as a plain string, which is taken verbatim minus
 * one pair of wrapping quotes; --var-file values are the file's text.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { BootstrapError, isRecord, messageOf } from "../../common/index.js";
import { loadYamlValue, parseYaml } from "../yaml.js";

export interface VarFlags {
  vars?: Record<string, string>;
  varFiles?: Record<string, string>;
  varsFiles?: string[];
  varsEnv?: string[];
  varsStore?: string;
}

export function expandPath(path: string, cwd: string): string {
  if (path === "~" || path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  return resolve(cwd, path);
}

/**
 * `origins`, when given, learns which flag gave each top-level name last (the one that wins):
 * "vars.yml", "-v name", "--var-file name", "environment variable X_name". Errors about a
 * value name it so.
 */
export async function loadStaticVars(flags: VarFlags, env: NodeJS.ProcessEnv, cwd: string, origins?: Map<string, string>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const set = (values: Record<string, unknown>, label: (name: string) => string): void => {
    for (const [name, value] of Object.entries(values)) {
      out[name] = value;
      origins?.set(name.split(".")[0] ?? name, label(name));
    }
  };
  for (const prefix of flags.varsEnv ?? []) set(varsFromEnv(prefix, env), (name) => `environment variable ${prefix}_${name}`);
  for (const file of flags.varsFiles ?? []) set(await varsFromFile(expandPath(file, cwd), file), () => file);
  for (const [name, file] of Object.entries(flags.varFiles ?? {})) set({ [name]: await readVarFile(name, expandPath(file, cwd)) }, () => `--var-file ${name}=${file}`);
  for (const [name, raw] of Object.entries(flags.vars ?? {})) set({ [name]: parseVarValue(name, raw) }, () => `-v ${name}`);
  return out;
}

export function parseVarValue(name: string, raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = loadYamlValue(raw, `-v ${name}`);
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // YAML_TOO_LARGE
    throw new BootstrapError("VARIABLE_INVALID", `Deserializing variables '${name}=${raw}': ${messageOf(error)}`, {
      hint: "Quote the value so it reads as YAML, or pass it with --var-file NAME=PATH.",
    });
  }
  if (typeof parsed !== "string") return parsed;
  // Plain strings keep their original text (YAML would fold newlines); one pair of wrapping quotes goes.
  const quoted = raw.length >= 2 && ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'")));
  return quoted ? raw.slice(1, -1) : raw;
}

function varsFromEnv(prefix: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !key.startsWith(`${prefix}_`)) continue;
    try {
      out[key.slice(prefix.length + 1)] = loadYamlValue(value, `environment variable ${key}`) ?? null;
    } catch (error) {
      if (error instanceof BootstrapError) throw error; // YAML_TOO_LARGE
      throw new BootstrapError("VARIABLE_INVALID", `Deserializing YAML from environment variable '${key}': ${messageOf(error)}`, {
        hint: `Fix or unset ${key}.`,
      });
    }
  }
  return out;
}

async function varsFromFile(path: string, given: string): Promise<Record<string, unknown>> {
  const parsed = parseYaml(await readInput(path, `Reading variables file '${given}'`), path);
  if (parsed === null || parsed === undefined) return {};
  if (!isRecord(parsed)) {
    throw new BootstrapError("VARIABLE_INVALID", `Variables file '${given}' must be a YAML map of names to values`, {
      hint: "Write it as `name: value` lines.",
    });
  }
  return parsed;
}

async function readVarFile(name: string, path: string): Promise<string> {
  return readInput(path, `Reading variable '${name}' from file '${path}'`);
}

export async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BootstrapError(code === "ENOENT" ? "FILE_NOT_FOUND" : "USAGE", `${what}: ${messageOf(error)}`, {
      hint: "Check the path (relative paths are resolved against the current directory).",
      cause: error,
    });
  }
}
