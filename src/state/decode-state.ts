/**
 * File text → StoredState, validating everything (pure). A file bosh-cli wrote loads as it is;
 * a file that would make us act on an empty or ambiguous CID is refused with every problem
 * listed, never half-loaded.
 */
import { BootstrapError, isRecord } from "../common/index.js";
import { LIST_KEYS, SCHEMA_VERSION } from "./types.js";
import type { DeploymentState, DiskRecord, ListKey, ReleaseRecord, StateMeta, StemcellRecord, StoredState, VmPackageRecord } from "./types.js";

const STRING_KEYS = [
  "director_id",
  "installation_id",
  "current_vm_cid",
  "current_stemcell_id",
  "current_disk_id",
  "current_manifest_sha",
] as const;
const OUR_KEYS = [
  "current_agent_id",
  "current_vm_ssh_host_key",
  "jumpbox_ssh_host_keys",
  "current_vm_inputs",
  "current_vm_packages",
  "jobs_stopped_at",
  "last_deployed_at",
  "last_deployed_by",
  "schema_version",
  "serial",
  "lineage",
  "updated_at",
] as const;
const KNOWN_KEYS = new Set<string>([...STRING_KEYS, ...LIST_KEYS, ...OUR_KEYS]);

export interface DecodedState {
  stored: StoredState;
  warnings: string[];
  /**
   * `current_*` ids that name no record. Not refused here (a file in this shape is still written
   * and read back while delete runs); the caller refuses them before acting (see open-state.ts).
   */
  dangling: DanglingReference[];
}

export interface DanglingReference {
  field: "current_stemcell_id" | "current_disk_id";
  id: string;
  list: "stemcells" | "disks";
  /** The ids the list does hold. */
  known: string[];
}

export interface DecodeContext {
  path: string;
  /** Named in the error when it exists, so the user knows what to restore. */
  backupPath?: string | undefined;
}

export function decodeState(text: string, ctx: DecodeContext): DecodedState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const detail = text.trim() === "" ? "the file is empty" : `not JSON: ${(error as Error).message}`;
    throw invalid(ctx, [detail]);
  }
  if (!isRecord(raw)) throw invalid(ctx, ["the top level is not a JSON object"]);
  checkSchemaVersion(raw, ctx);

  const problems: string[] = [];
  const warnings: string[] = [];
  const field = new FieldReader(problems);

  const nullLists = new Set<ListKey>();
  const listOf = <T>(key: ListKey, item: (value: unknown, where: string) => T | undefined): T[] => {
    const value = raw[key];
    if (value === undefined || value === null) {
      nullLists.add(key);
      return [];
    }
    if (!Array.isArray(value)) {
      problems.push(`${key}: expected a list or null, got ${describe(value)}`);
      return [];
    }
    return value.flatMap((entry, i) => {
      const decoded = item(entry, `${key}[${i}]`);
      return decoded === undefined ? [] : [decoded];
    });
  };

  const state: DeploymentState = {
    director_id: field.optionalString(raw, "director_id", "director_id"),
    installation_id: field.optionalString(raw, "installation_id", "installation_id"),
    current_vm_cid: field.optionalString(raw, "current_vm_cid", "current_vm_cid"),
    current_stemcell_id: field.optionalString(raw, "current_stemcell_id", "current_stemcell_id"),
    current_disk_id: field.optionalString(raw, "current_disk_id", "current_disk_id"),
    current_release_ids: listOf("current_release_ids", (v, where) => field.nonEmpty(v, where)),
    current_manifest_sha: field.optionalString(raw, "current_manifest_sha", "current_manifest_sha"),
    disks: listOf("disks", (v, where) => decodeDisk(v, where, field)),
    stemcells: listOf("stemcells", (v, where) => decodeStemcell(v, where, field)),
    releases: listOf("releases", (v, where) => decodeRelease(v, where, field)),
  };
  if (raw.current_agent_id !== undefined && raw.current_agent_id !== null) {
    state.current_agent_id = field.optionalString(raw, "current_agent_id", "current_agent_id");
  }
  if (raw.current_vm_ssh_host_key !== undefined && raw.current_vm_ssh_host_key !== null) {
    state.current_vm_ssh_host_key = field.optionalString(raw, "current_vm_ssh_host_key", "current_vm_ssh_host_key");
  }
  for (const key of ["jobs_stopped_at", "last_deployed_at", "last_deployed_by"] as const) {
    if (raw[key] === undefined || raw[key] === null) continue;
    const text = field.nonEmpty(raw[key], key);
    if (text !== undefined) state[key] = text;
  }
  if (raw.jumpbox_ssh_host_keys !== undefined && raw.jumpbox_ssh_host_keys !== null) {
    const keys = decodeStringMap(raw.jumpbox_ssh_host_keys, "jumpbox_ssh_host_keys", field);
    if (keys !== undefined) state.jumpbox_ssh_host_keys = keys;
  }
  if (raw.current_vm_inputs !== undefined && raw.current_vm_inputs !== null) {
    const inputs = decodeStringMap(raw.current_vm_inputs, "current_vm_inputs", field);
    if (inputs !== undefined) state.current_vm_inputs = inputs;
  }
  if (raw.current_vm_packages !== undefined && raw.current_vm_packages !== null) {
    const packages = decodeVmPackages(raw.current_vm_packages, field);
    if (packages !== undefined) state.current_vm_packages = packages;
  }

  // It names a directory under ~/.bootstrap/installations (and bosh-cli's ~/.bosh/installations)
  // that delete removes: one plain path segment, never a way out of that folder.
  if (state.installation_id !== "" && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(state.installation_id)) {
    problems.push(`installation_id: expected an id such as a UUID, got ${JSON.stringify(state.installation_id)}`);
  }
  requireUnique(state.disks, "disks", "cid", problems);
  requireUnique(state.disks, "disks", "id", problems);
  requireUnique(state.stemcells, "stemcells", "cid", problems);
  requireUnique(state.stemcells, "stemcells", "id", problems);
  requireUnique(state.releases, "releases", "id", problems);
  warnings.push(...unknownReleaseIds(state));

  const meta = decodeMeta(raw, field);
  if (problems.length > 0) throw invalid(ctx, problems);

  const unknown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_KEYS.has(key)) continue;
    unknown[key] = value;
    warnings.push(`state file ${ctx.path}: unknown key "${key}" kept as it is`);
  }
  return { stored: { state, meta, nullLists, unknown }, warnings, dangling: danglingReferences(state) };
}

function checkSchemaVersion(raw: Record<string, unknown>, ctx: DecodeContext): void {
  const version = raw.schema_version;
  if (version === undefined) return; // written by bosh-cli
  if (typeof version === "number" && Number.isInteger(version) && version >= 1 && version <= SCHEMA_VERSION) return;
  throw new BootstrapError(
    "STATE_VERSION_UNSUPPORTED",
    `State file ${ctx.path} has schema_version ${JSON.stringify(version)}; this bootstrap understands up to ${SCHEMA_VERSION}.`,
    { hint: "It was written by a newer bootstrap: use that version (or newer) for this deployment." },
  );
}

function decodeMeta(raw: Record<string, unknown>, field: FieldReader): StateMeta | undefined {
  if (raw.schema_version === undefined) return undefined;
  const serial = raw.serial;
  if (typeof serial !== "number" || !Number.isInteger(serial) || serial < 0) {
    field.problems.push(`serial: expected a whole number >= 0, got ${describe(serial)}`);
  }
  return {
    serial: typeof serial === "number" ? serial : 0,
    lineage: field.nonEmpty(raw.lineage, "lineage") ?? "",
    updatedAt: field.nonEmpty(raw.updated_at, "updated_at") ?? "",
  };
}

function decodeDisk(value: unknown, where: string, field: FieldReader): DiskRecord | undefined {
  if (!field.object(value, where)) return undefined;
  const size = value.size;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
    field.problems.push(`${where}.size: expected a whole number of MB, got ${describe(size)}`);
  }
  const props = value.cloud_properties;
  if (props !== undefined && props !== null && !isRecord(props)) {
    field.problems.push(`${where}.cloud_properties: expected an object or null, got ${describe(props)}`);
  }
  return {
    id: field.nonEmpty(value.id, `${where}.id`) ?? "",
    cid: field.nonEmpty(value.cid, `${where}.cid`) ?? "",
    size: typeof size === "number" ? size : 0,
    cloud_properties: isRecord(props) ? props : {},
  };
}

function decodeStemcell(value: unknown, where: string, field: FieldReader): StemcellRecord | undefined {
  if (!field.object(value, where)) return undefined;
  const record: StemcellRecord = {
    id: field.nonEmpty(value.id, `${where}.id`) ?? "",
    name: field.nonEmpty(value.name, `${where}.name`) ?? "",
    // bosh-cli writes "" for a stemcell migrated from bosh-init's file (version unknown).
    version: field.string(value.version, `${where}.version`) ?? "",
    cid: field.nonEmpty(value.cid, `${where}.cid`) ?? "",
  };
  const api = value.api_version;
  if (api !== undefined && api !== null) {
    if (typeof api !== "number" || !Number.isInteger(api) || api < 0) {
      field.problems.push(`${where}.api_version: expected a whole number, got ${describe(api)}`);
    } else if (api > 0) {
      record.api_version = api;
    }
  }
  return record;
}

function decodeRelease(value: unknown, where: string, field: FieldReader): ReleaseRecord | undefined {
  if (!field.object(value, where)) return undefined;
  return {
    id: field.nonEmpty(value.id, `${where}.id`) ?? "",
    name: field.nonEmpty(value.name, `${where}.name`) ?? "",
    version: field.nonEmpty(value.version, `${where}.version`) ?? "",
  };
}

function decodeVmPackages(value: unknown, field: FieldReader): VmPackageRecord[] | undefined {
  if (!Array.isArray(value)) {
    field.problems.push(`current_vm_packages: expected a list, got ${describe(value)}`);
    return undefined;
  }
  return value.flatMap((entry, i) => {
    const where = `current_vm_packages[${i}]`;
    if (!field.object(entry, where)) return [];
    return [
      {
        name: field.nonEmpty(entry.name, `${where}.name`) ?? "",
        version: field.nonEmpty(entry.version, `${where}.version`) ?? "",
        sha1: field.nonEmpty(entry.sha1, `${where}.sha1`) ?? "",
        blobstore_id: field.nonEmpty(entry.blobstore_id, `${where}.blobstore_id`) ?? "",
        key: field.nonEmpty(entry.key, `${where}.key`) ?? "",
      },
    ];
  });
}

function decodeStringMap(value: unknown, where: string, field: FieldReader): Record<string, string> | undefined {
  if (!field.object(value, where)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    const text = field.nonEmpty(entry, `${where}.${key}`);
    if (text !== undefined) map[key] = text;
  }
  return map;
}

function requireUnique<T extends object>(records: T[], list: string, key: keyof T & string, problems: string[]): void {
  const seen = new Set<unknown>();
  for (const record of records) {
    const value = record[key];
    if (value === "") continue; // already reported as empty
    if (seen.has(value)) problems.push(`${list}: ${key} ${JSON.stringify(value)} appears more than once`);
    seen.add(value);
  }
}

/**
 * bosh-cli reads a current_* id that names no record as "none": its next deploy uploads a
 * stemcell or creates an empty disk and deletes the recorded ones as unused. Neither tool
 * writes such a file, so it was edited or damaged, and the caller refuses to deploy from it.
 */
function danglingReferences(state: DeploymentState): DanglingReference[] {
  const out: DanglingReference[] = [];
  const stemcells = state.stemcells.map((s) => s.id);
  const disks = state.disks.map((d) => d.id);
  if (state.current_stemcell_id !== "" && !stemcells.includes(state.current_stemcell_id)) {
    out.push({ field: "current_stemcell_id", id: state.current_stemcell_id, list: "stemcells", known: stemcells });
  }
  if (state.current_disk_id !== "" && !disks.includes(state.current_disk_id)) {
    out.push({ field: "current_disk_id", id: state.current_disk_id, list: "disks", known: disks });
  }
  return out;
}

/** Written by both tools, read by neither: a dangling one changes nothing, so it is only said. */
function unknownReleaseIds(state: DeploymentState): string[] {
  return state.current_release_ids
    .filter((id) => !state.releases.some((r) => r.id === id))
    .map((id) => `current_release_ids names ${JSON.stringify(id)}, which is in no release record (ignored: no command reads current_release_ids)`);
}

class FieldReader {
  constructor(readonly problems: string[]) {}

  /** bosh-cli's strings default to "" when absent or null (Go zero value). */
  optionalString(raw: Record<string, unknown>, key: string, where: string): string {
    const value = raw[key];
    if (value === undefined || value === null) return "";
    if (typeof value !== "string") {
      this.problems.push(`${where}: expected a string, got ${describe(value)}`);
      return "";
    }
    return value;
  }

  string(value: unknown, where: string): string | undefined {
    if (typeof value === "string") return value;
    this.problems.push(`${where}: expected a string, got ${describe(value)}`);
    return undefined;
  }

  nonEmpty(value: unknown, where: string): string | undefined {
    if (typeof value !== "string") {
      this.problems.push(`${where}: expected a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.trim() === "") {
      this.problems.push(`${where}: must not be empty`);
      return undefined;
    }
    return value;
  }

  object(value: unknown, where: string): value is Record<string, unknown> {
    if (isRecord(value)) return true;
    this.problems.push(`${where}: expected an object, got ${describe(value)}`);
    return false;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function invalid(ctx: DecodeContext, problems: string[]): BootstrapError {
  const restore =
    ctx.backupPath === undefined
      ? "Fix the file by hand (it is JSON), or move it away to start from nothing — which forgets any VM, disk or stemcell it records."
      : `Restore the copy taken before the last run changed it: cp ${ctx.backupPath} ${ctx.path} — or fix the file by hand.`;
  return new BootstrapError("STATE_INVALID", `State file ${ctx.path} is not a valid deployment state.`, {
    details: problems,
    hint: restore,
  });
}
