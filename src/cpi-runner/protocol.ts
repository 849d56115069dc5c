/**
 * The external CPI protocol (reference bosh-cli-create-env.md §5), decoded once here (pure):
 * the request we write to stdin, the one JSON response we accept on stdout, and the result
 * shapes of API v1 and v2.
 */
import { CpiError, INVALID_RESULT_TYPE } from "./cpi-error.js";
import { isRecord } from "../common/index.js";

export type CpiMethod =
  | "info"
  | "create_stemcell"
  | "delete_stemcell"
  | "create_vm"
  | "delete_vm"
  | "has_vm"
  | "set_vm_metadata"
  | "create_disk"
  | "attach_disk"
  | "detach_disk"
  | "delete_disk"
  | "has_disk"
  | "set_disk_metadata"
  | "get_vm_ssh_host_key";

/** Calls that create, delete or move a resource: journaled, and never abandoned half-way. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  "create_stemcell",
  "delete_stemcell",
  "create_vm",
  "delete_vm",
  "create_disk",
  "attach_disk",
  "detach_disk",
  "delete_disk",
]);

/** The highest CPI API version we speak; a CPI announcing more is spoken to in this one. */
export const MAX_API_VERSION = 2;

export interface CpiRequest {
  method: CpiMethod;
  arguments: unknown[];
  context: { director_uuid: string; request_id: string; vm?: { stemcell: { api_version: number } } };
  api_version: number;
}

export type CpiResponse =
  | { kind: "result"; result: unknown; log: string }
  | { kind: "error"; type: string; message: string; okToRetry: boolean; log: string }
  | { kind: "invalid"; problem: string };

export function buildRequest(
  method: CpiMethod,
  args: unknown[],
  ctx: { directorUuid: string; requestId: string; stemcellApiVersion?: number | undefined; apiVersion: number },
): CpiRequest {
  const request: CpiRequest = {
    method,
    arguments: args,
    context: { director_uuid: ctx.directorUuid, request_id: ctx.requestId },
    api_version: ctx.apiVersion,
  };
  if (ctx.stemcellApiVersion !== undefined && ctx.stemcellApiVersion > 0) {
    request.context.vm = { stemcell: { api_version: ctx.stemcellApiVersion } };
  }
  return request;
}

export function decodeResponse(stdout: string): CpiResponse {
  const text = stdout.trim();
  if (text === "") return { kind: "invalid", problem: "printed nothing on stdout" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", problem: "printed something other than one JSON response on stdout" };
  }
  if (!isRecord(value)) return { kind: "invalid", problem: "printed JSON that is not a response object" };
  const response = value;
  const log = typeof response.log === "string" ? response.log : "";
  const error = response.error;
  if (error === null || error === undefined) {
    if (!("result" in response)) return { kind: "invalid", problem: "printed a response with neither result nor error" };
    return { kind: "result", result: response.result, log };
  }
  if (!isRecord(error)) return { kind: "invalid", problem: "printed a response whose error is not an object" };
  const e = error;
  return {
    kind: "error",
    type: typeof e.type === "string" && e.type !== "" ? e.type : "Unknown",
    message: typeof e.message === "string" ? e.message : JSON.stringify(e.message ?? ""),
    okToRetry: e.ok_to_retry === true,
    log,
  };
}

export interface CpiInfo {
  /** As the CPI announced it (default 1). */
  api_version: number;
  stemcell_formats: string[];
  /**
   * Our extension, absent from the BOSH protocol (whose decoders ignore unknown fields): true
   * when the CPI answers `get_vm_ssh_host_key(vm_cid)` with the VM's SSH host key.
   */
  vm_ssh_host_key?: boolean;
}

export function decodeInfo(result: unknown): CpiInfo {
  const info = isRecord(result) ? result : undefined;
  const formats = info?.stemcell_formats;
  if (info === undefined || !Array.isArray(formats) || !formats.every((f) => typeof f === "string")) {
    throw invalidResult("info", "an object with a stemcell_formats list", result);
  }
  const version = info.api_version;
  return {
    api_version: typeof version === "number" && Number.isInteger(version) && version >= 1 ? version : 1,
    stemcell_formats: formats,
    ...(info.vm_ssh_host_key === true ? { vm_ssh_host_key: true } : {}),
  };
}

/** `get_vm_ssh_host_key`: an OpenSSH public key line ("ssh-ed25519 AAAA…"), or null when unknown. */
export function decodeSshHostKey(result: unknown): string | undefined {
  if (result === null) return undefined;
  if (typeof result === "string" && /^\S+ \S+/.test(result.trim())) return result.trim();
  throw invalidResult("get_vm_ssh_host_key", "an SSH public key line or null", result);
}

/** API v1: the CID; API v2: `[cid, networks]`. Either is accepted whatever was negotiated. */
export function decodeCreateVm(result: unknown): { cid: string; networks?: unknown } {
  if (typeof result === "string" && result !== "") return { cid: result };
  if (Array.isArray(result) && typeof result[0] === "string" && result[0] !== "") {
    return result.length > 1 ? { cid: result[0], networks: result[1] } : { cid: result[0] };
  }
  throw invalidResult("create_vm", "a VM CID or [cid, networks]", result);
}

export function decodeCid(method: string, result: unknown): string {
  if (typeof result === "string" && result !== "") return result;
  throw invalidResult(method, "a non-empty CID string", result);
}

export function decodeBoolean(method: string, result: unknown): boolean {
  if (typeof result === "boolean") return result;
  throw invalidResult(method, "true or false", result);
}

/** API v2 returns a disk hint for the agent's add_persistent_disk; v1 returns nothing useful. */
export function decodeAttachDisk(result: unknown, apiVersion: number): unknown {
  return apiVersion >= 2 ? (result ?? null) : null;
}

/** A mutating call's result in the shape the matching CpiClient method returns. */
export function decodeMutatingResult(method: string, result: unknown, apiVersion: number): unknown {
  switch (method) {
    case "create_vm":
      return decodeCreateVm(result);
    case "create_stemcell":
    case "create_disk":
      return decodeCid(method, result);
    case "attach_disk":
      return decodeAttachDisk(result, apiVersion);
    default:
      return null;
  }
}

function invalidResult(method: string, expected: string, got: unknown): CpiError {
  const shown = JSON.stringify(got) ?? "nothing";
  return new CpiError(method, INVALID_RESULT_TYPE, `expected ${expected} as result, got ${shown.slice(0, 200)}`, false);
}
