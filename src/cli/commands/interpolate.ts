/**
 * `bootstrap interpolate MANIFEST`: what `bosh int` does — apply ops files, interpolate
 * variables (generating typed ones into --vars-store), print the YAML, or with --path just one
 * value (a string printed raw, so a PEM or key pastes cleanly).
 */
import type { Command } from "commander";
import { BootstrapError } from "../../common/index.js";
import type { Pointer } from "../../manifest/index.js";
import type { CliIo } from "../io.js";
import { interpolate } from "../../api/index.js";
import { addVarFlags, manifestInputs, type VarOptionValues } from "../var-flags.js";

interface InterpolateOptions extends VarOptionValues {
  path?: string;
  varErrs?: boolean;
  varErrsUnused?: boolean;
}

export function registerInterpolateCommand(program: Command, io: CliIo): void {
  const command = program
    .command("interpolate")
    .alias("int")
    .description("Apply ops files and interpolate variables into a manifest, printing the result (like bosh int)")
    .argument("<MANIFEST>", "path to the manifest YAML (- reads it from standard input)");
  addVarFlags(command)
    .option("--path <OP-PATH>", "print only the value at this go-patch path (e.g. /private_key)")
    .option("--var-errs", "fail when a variable has no value")
    .option("--var-errs-unused", "fail when a given variable is not used")
    .action(async (manifestPath: string, options: InterpolateOptions) => {
      // Loaded here, not at start-up: the manifest layer pulls in YAML and X.509 libraries.
      const manifest = await import("../../manifest/index.js");
      const { dumpYaml, findValue, PatchError } = manifest;
      const pointer = options.path === undefined ? undefined : parsePath(options.path, manifest);
      const stdin = io.stdin;
      const evaluated = await interpolate({
        ...manifestInputs(manifestPath, options),
        varErrs: options.varErrs === true,
        varErrsUnused: options.varErrsUnused === true,
        env: io.env,
        cwd: io.cwd,
        signal: io.signal,
        ...(stdin === undefined ? {} : { readStdin: () => readAll(stdin) }),
      });
      if (pointer === undefined) {
        io.stdout.write(evaluated.yaml);
        return;
      }
      let value: unknown;
      try {
        value = findValue(evaluated.document, pointer);
      } catch (error) {
        if (!(error instanceof PatchError)) throw error;
        throw new BootstrapError("USAGE", `--path '${options.path ?? ""}': ${error.message}`, { hint: "Check the path against the interpolated manifest (run without --path)." });
      }
      io.stdout.write(typeof value === "string" ? `${value}\n` : dumpYaml(value));
    });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

function parsePath(path: string, manifest: typeof import("../../manifest/index.js")): Pointer {
  try {
    return manifest.parsePointer(path);
  } catch (error) {
    if (!(error instanceof manifest.PointerSyntaxError)) throw error;
    throw new BootstrapError("USAGE", `--path '${path}': ${error.message}`, { hint: "Write the path like /instance_groups/name=bosh/jobs." });
  }
}
