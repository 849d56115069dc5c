/**
 * `bootstrap env MANIFEST`: the director's client variables, as shell `export` lines to eval or
 * (--json) one JSON object. stdout carries only that; notes and warnings go to stderr. The one
 * place a secret is printed on purpose, so only when asked: --reveal, or stdout not a terminal
 * (a pipe or `$(...)`, where a person is not reading along).
 */
import type { Command } from "commander";
import { env, type EnvResult } from "../../api/index.js";
import type { CliIo } from "../io.js";
import { writeLine } from "../io.js";
import { addVarFlags, manifestInputs, type VarOptionValues } from "../var-flags.js";
import { withRuntime } from "./with-runtime.js";

interface EnvFlags extends VarOptionValues {
  state?: string;
  json?: boolean;
  reveal?: boolean;
}

export function registerEnvCommand(program: Command, io: CliIo): void {
  addVarFlags(
    program
      .command("env")
      .description("print BOSH_ENVIRONMENT, BOSH_CA_CERT, BOSH_CLIENT and BOSH_CLIENT_SECRET for the deployed director, as shell exports to eval")
      .argument("<MANIFEST>", "path to the bootstrap manifest (with the flags it was deployed with)"),
  )
    .option("--state <PATH>", "state file (default: <manifest>-state.json next to the manifest)")
    .option("--json", "print one JSON object with the variables instead of shell exports")
    .option("--reveal", "print BOSH_CLIENT_SECRET even when stdout is a terminal")
    .addHelpText(
      "after",
      [
        "",
        "BOSH_CLIENT_SECRET is printed only with --reveal or when stdout is not a terminal",
        '(eval "$(bootstrap env ...)", a pipe, a file); on a terminal it is left out. Nothing',
        "is written: the vars store must already hold every variable (no generation).",
        "",
        "Example:",
        '  eval "$(bootstrap env bosh.yml --vars-store creds.yml --state state.json)"',
        '  curl --cacert <(printf "%s" "$BOSH_CA_CERT") "$BOSH_ENVIRONMENT/info"',
      ].join("\n"),
    )
    .action(async (manifest: string, flags: EnvFlags) => {
      // Progress and notes go to stderr even with --json: stdout holds only the variables.
      await withRuntime(io, "env", {}, async (rt) => {
        const result = await env({ ...manifestInputs(manifest, flags), ...rt.run });
        await rt.finish();
        const reveal = flags.reveal === true || io.stdout.isTTY !== true;
        if (!reveal && result.clientSecret !== undefined) {
          writeLine(io.stderr, "BOSH_CLIENT_SECRET is left out on a terminal: add --reveal, or eval the output.");
        }
        const vars = envVariables(result, reveal);
        if (flags.json === true) writeLine(io.stdout, JSON.stringify(Object.fromEntries(vars.filter(([, v]) => typeof v === "string")), null, 2));
        else for (const line of shellLines(vars)) writeLine(io.stdout, line);
      });
    });
}

/** undefined: the manifest does not name it; HIDDEN: a secret left out on a terminal. */
const HIDDEN = Symbol("hidden");
type EnvVariable = readonly [name: string, value: string | undefined | typeof HIDDEN];

function envVariables(result: EnvResult, reveal: boolean): EnvVariable[] {
  const secret = result.clientSecret === undefined || reveal ? result.clientSecret : HIDDEN;
  return [
    ["BOSH_ENVIRONMENT", result.environment],
    ["BOSH_CA_CERT", result.caCert],
    ["BOSH_CLIENT", result.client],
    ["BOSH_CLIENT_SECRET", secret],
  ];
}

/**
 * export for each value, unset for one the manifest does not name, so an eval never keeps
 * another director's CA or credentials from the shell's environment (a hidden secret is left alone).
 */
function shellLines(vars: EnvVariable[]): string[] {
  return vars.flatMap(([name, value]) => {
    if (value === HIDDEN) return [];
    return value === undefined ? [`unset ${name}`] : [`export ${name}=${shellQuote(value)}`];
  });
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
