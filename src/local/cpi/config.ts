/**
 * The CPI's own configuration: the JSON file rendered by the `local_cpi` job's
 * `config/cpi.json` template, whose path is the executable's first argument.
 * Shape: {"agent": {"mbus"}, "blobstore": {"provider", "options"}, "ntp": [...],
 *         "local": {"base_dir", "ssh_port", "ssh_user"}}. Pure decoding only.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { cloudError } from "../shared/index.js";
import { isRecord } from "../../common/index.js";

export interface CpiConfig {
  /** mbus URL handed to every agent, e.g. https://mbus:PW@0.0.0.0:6868. */
  mbus: string;
  blobstore: { provider: string; options: Record<string, unknown> };
  ntp: string[];
  baseDir: string;
  sshPort: number;
  sshUser: string;
}

const DEFAULT_SSH_PORT = 2222;
const DEFAULT_SSH_USER = "vcap";

function defaultBaseDir(home = homedir()): string {
  return join(home, ".bootstrap", "local");
}

export function decodeConfig(raw: unknown, path: string, home = homedir()): CpiConfig {
  const invalid = (what: string) => cloudError(`Invalid CPI config '${path}': ${what} (re-render the local_cpi job)`);
  if (!isRecord(raw)) throw invalid("it must be a JSON object");
  const agent = raw["agent"];
  const mbus = isRecord(agent) ? agent["mbus"] : undefined;
  if (typeof mbus !== "string" || mbus === "") throw invalid("agent.mbus must be a non-empty string");

  const blobstore = raw["blobstore"];
  if (!isRecord(blobstore) || typeof blobstore["provider"] !== "string") {
    throw invalid("blobstore.provider must be a string");
  }
  const options = blobstore["options"];
  const ntp = raw["ntp"] ?? [];
  if (!Array.isArray(ntp) || !ntp.every((s) => typeof s === "string")) throw invalid("ntp must be an array of strings");

  const local = isRecord(raw["local"]) ? raw["local"] : {};
  const baseDir = local["base_dir"];
  if (baseDir !== undefined && baseDir !== null && typeof baseDir !== "string") throw invalid("local.base_dir must be a string");
  const sshPort = local["ssh_port"] ?? DEFAULT_SSH_PORT;
  if (typeof sshPort !== "number" || !Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535) {
    throw invalid("local.ssh_port must be a port number");
  }
  const sshUser = local["ssh_user"] ?? DEFAULT_SSH_USER;
  if (typeof sshUser !== "string" || sshUser === "") throw invalid("local.ssh_user must be a non-empty string");

  return {
    mbus,
    blobstore: { provider: blobstore["provider"], options: isRecord(options) ? options : {} },
    ntp: ntp as string[],
    baseDir: typeof baseDir === "string" && baseDir !== "" ? baseDir : defaultBaseDir(home),
    sshPort,
    sshUser,
  };
}
