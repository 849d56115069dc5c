/**
 * The agent's command line, as the stemcell's wrapper and the real bosh-agent take it:
 * `bosh-agent [-b base] -C agent.json [-P platform] [-M supervisor]`. `-P` and `-M` are accepted
 * for compatibility (there is one platform and one supervisor here); `-r` and `--no-alerts` are
 * accepted and ignored like the real agent does.
 */
import { resolve } from "node:path";
import { BootstrapError } from "../../common/index.js";

export interface AgentArgs {
  baseDir: string;
  configPath: string;
  platform: string;
  supervisor: string;
}

const USAGE_HINT = "Usage: bosh-agent [-b <base dir>] -C <agent.json> [-P <platform>] [-M <job supervisor>]";

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  const values: Record<string, string> = { b: "/var/vcap", P: "ubuntu", M: "monit" };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? "";
    if (flag === "-r" || flag === "--no-alerts") continue;
    const match = /^-([bCPM])(.*)$/.exec(flag);
    if (!match) throw new BootstrapError("USAGE", `Unknown argument '${flag}'`, { hint: USAGE_HINT });
    const key = match[1] ?? "";
    const inline = match[2] ?? "";
    const value = inline !== "" ? inline.replace(/^=/, "") : argv[++i];
    if (value === undefined || value === "") throw new BootstrapError("USAGE", `Flag -${key} needs a value`, { hint: USAGE_HINT });
    values[key] = value;
  }
  if (values.C === undefined) throw new BootstrapError("USAGE", "Flag -C <agent.json> is required", { hint: USAGE_HINT });
  // Absolute, because mounts are matched against the kernel's (absolute) mount table.
  return { baseDir: resolve(values.b ?? "/var/vcap"), configPath: resolve(values.C), platform: values.P ?? "ubuntu", supervisor: values.M ?? "monit" };
}
