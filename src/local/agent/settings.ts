/**
 * Agent settings (the bosh-agent settings JSON) and the agent config file that says where they
 * come from. Only the `File` source exists here (what file-based CPIs such as ours use). Every
 * successful read is cached to `<base>/bosh/settings.json`; when the source is unreadable later,
 * the cache is used, as the real agent does. Disk actions re-read the source so that a CPI's
 * attach_disk edit is seen without a restart.
 */
import { readFile } from "node:fs/promises";
import { BootstrapError, isRecord, messageOf, writeFileAtomic } from "../../common/index.js";
import type { AgentPaths } from "./paths.js";

export type Json = Record<string, unknown>;

export interface MbusCert {
  ca: string;
  certificate: string;
  private_key: string;
}

/** Go's JSON decoding matches field names case-insensitively; agent.json relies on that. */
function field(obj: unknown, name: string): unknown {
  if (!isRecord(obj)) return undefined;
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/** The settings file path named by agent.json's first `File` source, mapped under the base dir. */
export async function readSettingsSourcePath(configPath: string, paths: AgentPaths): Promise<string> {
  let config: unknown;
  try {
    config = JSON.parse(await readFile(configPath, "utf8"));
  } catch (error) {
    throw new BootstrapError("FILE_NOT_FOUND", `Cannot read agent config ${configPath}: ${messageOf(error)}`, {
      hint: "Pass -C with a readable agent.json",
      cause: error,
    });
  }
  const sources = field(field(field(config, "Infrastructure"), "Settings"), "Sources");
  const source = Array.isArray(sources) ? sources[0] : undefined;
  const settingsPath = field(source, "SettingsPath");
  if (!isRecord(source) || source.Type !== "File" || typeof settingsPath !== "string" || settingsPath === "") {
    throw new BootstrapError("USAGE", `Agent config ${configPath}: Infrastructure.Settings.Sources[0] must be {"Type":"File","SettingsPath":"..."}`, {
      hint: "This agent supports the File settings source only",
    });
  }
  return paths.mapVcapPath(settingsPath);
}

export class SettingsService {
  private current: Json = {};

  constructor(readonly sourcePath: string, private readonly paths: AgentPaths) {}

  get settings(): Json {
    return this.current;
  }

  /** Re-reads the source; falls back to the cached copy when the source cannot be read. */
  async load(): Promise<Json> {
    let loaded: Json;
    try {
      loaded = parseSettings(await readFile(this.sourcePath, "utf8"), this.sourcePath);
      await writeFileAtomic(this.paths.settingsCache, JSON.stringify(loaded), 0o600);
    } catch (error) {
      try {
        loaded = parseSettings(await readFile(this.paths.settingsCache, "utf8"), this.paths.settingsCache);
      } catch {
        throw new BootstrapError("FILE_NOT_FOUND", `Cannot read agent settings ${this.sourcePath}: ${messageOf(error)}`, {
          hint: "The CPI writes this file when it creates the VM; check the VM's settings file",
          cause: error,
        });
      }
    }
    this.current = loaded;
    return loaded;
  }
}

function parseSettings(text: string, path: string): Json {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new Error(`${path} does not hold a JSON object`);
  return value;
}

function envBosh(settings: Json): Json {
  const bosh = field(field(settings, "env"), "bosh");
  return isRecord(bosh) ? bosh : {};
}

/** update_settings.mbus.urls[0] > env.bosh.mbus.urls[0] > mbus. */
export function mbusUrl(settings: Json, updateSettings: Json): string {
  const fromUpdate = field(field(updateSettings, "mbus"), "urls");
  if (Array.isArray(fromUpdate) && typeof fromUpdate[0] === "string" && fromUpdate[0] !== "") return fromUpdate[0];
  const fromEnv = field(field(envBosh(settings), "mbus"), "urls");
  if (Array.isArray(fromEnv) && typeof fromEnv[0] === "string" && fromEnv[0] !== "") return fromEnv[0];
  const plain = field(settings, "mbus");
  return typeof plain === "string" ? plain : "";
}

/** update_settings.mbus.cert when its ca is set, env.bosh.mbus.cert otherwise. */
export function mbusCert(settings: Json, updateSettings: Json): Partial<MbusCert> {
  const fromUpdate = field(field(updateSettings, "mbus"), "cert");
  if (isRecord(fromUpdate) && typeof fromUpdate.ca === "string" && fromUpdate.ca !== "") return fromUpdate as Partial<MbusCert>;
  const fromEnv = field(field(envBosh(settings), "mbus"), "cert");
  return isRecord(fromEnv) ? (fromEnv as Partial<MbusCert>) : {};
}

/**
 * The directory of the configured blobstore when it is `local` (update_settings.blobstores[0] >
 * env.bosh.blobstores[0] > blobstore, as the real agent decides); undefined for any other provider.
 */
export function localBlobstorePath(settings: Json, updateSettings: Json): string | undefined {
  const first = (list: unknown): unknown => (Array.isArray(list) && list.length > 0 ? list[0] : undefined);
  const chosen = first(field(updateSettings, "blobstores")) ?? first(field(envBosh(settings), "blobstores")) ?? field(settings, "blobstore");
  if (field(chosen, "provider") !== "local") return undefined;
  const path = field(field(chosen, "options"), "blobstore_path");
  return typeof path === "string" && path !== "" ? path : undefined;
}

export function networksOf(settings: Json): Record<string, Json> {
  const networks = field(settings, "networks");
  if (!isRecord(networks)) return {};
  return Object.fromEntries(Object.entries(networks).filter((e): e is [string, Json] => isRecord(e[1])));
}

/** The IP of the network that carries the default gateway (or the only network). */
export function defaultIp(settings: Json): string | undefined {
  const networks = Object.values(networksOf(settings));
  const chosen =
    networks.find((n) => Array.isArray(n.default) && n.default.includes("gateway")) ?? (networks.length === 1 ? networks[0] : undefined);
  return typeof chosen?.ip === "string" && chosen.ip !== "" ? chosen.ip : undefined;
}

export function agentId(settings: Json): string {
  const id = field(settings, "agent_id");
  return typeof id === "string" ? id : "";
}

export function vmName(settings: Json): string {
  const name = field(field(settings, "vm"), "name");
  return typeof name === "string" ? name : "";
}

/** settings.disks.persistent: cid → value (a path string or an object with `path`). */
export function persistentDisks(settings: Json): Record<string, unknown> {
  const persistent = field(field(settings, "disks"), "persistent");
  return isRecord(persistent) ? persistent : {};
}
