/**
 * StoredState → file text (pure). Keys in bosh-cli's struct order, map keys sorted and HTML
 * characters escaped (as Go's encoding/json does), 4-space indentation, `null` for lists
 * bosh-cli never set; our own keys follow bosh-cli's, which it ignores on load.
 */
import { LIST_KEYS, SCHEMA_VERSION } from "./types.js";
import type { DeploymentState, StateMeta, StoredState } from "./types.js";

export function encodeState(stored: StoredState, meta: StateMeta): string {
  const { state, nullLists } = stored;
  const list = <K extends (typeof LIST_KEYS)[number]>(key: K): DeploymentState[K] | null =>
    state[key].length === 0 && nullLists.has(key) ? null : state[key];

  const out: Record<string, unknown> = {
    director_id: state.director_id,
    installation_id: state.installation_id,
    current_vm_cid: state.current_vm_cid,
    current_stemcell_id: state.current_stemcell_id,
    current_disk_id: state.current_disk_id,
    current_release_ids: list("current_release_ids"),
    current_manifest_sha: state.current_manifest_sha,
    disks: mapOrNull(list("disks"), (d) => ({
      id: d.id,
      cid: d.cid,
      size: d.size,
      cloud_properties: sortKeys(d.cloud_properties),
    })),
    stemcells: mapOrNull(list("stemcells"), (s) => ({
      id: s.id,
      name: s.name,
      version: s.version,
      ...(s.api_version !== undefined && s.api_version > 0 ? { api_version: s.api_version } : {}),
      cid: s.cid,
    })),
    releases: mapOrNull(list("releases"), (r) => ({ id: r.id, name: r.name, version: r.version })),
  };
  for (const [key, value] of Object.entries(stored.unknown)) out[key] = value;
  if (state.current_agent_id !== undefined) out.current_agent_id = state.current_agent_id;
  if (state.current_vm_ssh_host_key !== undefined) out.current_vm_ssh_host_key = state.current_vm_ssh_host_key;
  if (state.jumpbox_ssh_host_keys !== undefined) out.jumpbox_ssh_host_keys = sortKeys(state.jumpbox_ssh_host_keys);
  if (state.current_vm_inputs !== undefined) out.current_vm_inputs = sortKeys(state.current_vm_inputs);
  if (state.current_vm_packages !== undefined) {
    out.current_vm_packages = state.current_vm_packages.map((p) => ({ name: p.name, version: p.version, sha1: p.sha1, blobstore_id: p.blobstore_id, key: p.key }));
  }
  if (state.jobs_stopped_at !== undefined) out.jobs_stopped_at = state.jobs_stopped_at;
  if (state.last_deployed_at !== undefined) out.last_deployed_at = state.last_deployed_at;
  if (state.last_deployed_by !== undefined) out.last_deployed_by = state.last_deployed_by;
  out.schema_version = SCHEMA_VERSION;
  out.serial = meta.serial;
  out.lineage = meta.lineage;
  out.updated_at = meta.updatedAt;
  return escapeAsGo(JSON.stringify(out, null, 4));
}

/**
 * Go's encoder writes <, >, & and the JS line separators as \u escapes; doing the same keeps the
 * part of the file bosh-cli owns byte-identical whichever tool wrote it. Outside strings JSON
 * text holds none of these characters, so replacing them everywhere is safe.
 */
function escapeAsGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function mapOrNull<T, U>(items: readonly T[] | null, fn: (item: T) => U): U[] | null {
  return items === null ? null : items.map(fn);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
