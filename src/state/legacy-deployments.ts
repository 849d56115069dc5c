/**
 * bosh-init's `bosh-deployments.yml`, read as bosh-cli migrates it (reference §3.1): the first
 * instance's uuid, vm_cid, disk_cid and stemcell_cid become a state. Its keys are Ruby symbols
 * (`:vm_cid:`), hence the leading colons stripped below.
 */
import { randomUUID } from "node:crypto";
import { BootstrapError, isRecord, loadBoundedYaml, readTextIfExists } from "../common/index.js";
import { emptyDeploymentState, type DeploymentState } from "./types.js";

export const LEGACY_FILE_NAME = "bosh-deployments.yml";

export async function readLegacyDeployments(path: string): Promise<DeploymentState | undefined> {
  const text = await readTextIfExists(path);
  return text === undefined ? undefined : convertLegacyDeployments(text, path);
}

function convertLegacyDeployments(text: string, path: string): DeploymentState {
  let doc: unknown;
  try {
    doc = loadBoundedYaml(text, path, { hint: `Fix or move away ${path}; it is only read when no state file exists.` });
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // YAML_TOO_LARGE
    throw legacyInvalid(path, (error as Error).message);
  }
  const root = withoutColons(doc);
  const instances = root?.instances;
  if (instances !== undefined && instances !== null && !Array.isArray(instances)) throw legacyInvalid(path, "instances is not a list");
  const first = Array.isArray(instances) ? withoutColons(instances[0]) : undefined;
  const text_ = (key: string): string => (typeof first?.[key] === "string" ? (first[key] as string) : "");

  const state: DeploymentState = { ...emptyDeploymentState(), director_id: text_("uuid"), current_vm_cid: text_("vm_cid") };
  if (text_("disk_cid") !== "") {
    state.current_disk_id = randomUUID();
    state.disks.push({ id: state.current_disk_id, cid: text_("disk_cid"), size: 0, cloud_properties: {} });
  }
  if (text_("stemcell_cid") !== "") {
    // The version is unknown, so this record never matches a stemcell and is cleaned up as unused.
    state.stemcells.push({ id: randomUUID(), name: text_("stemcell_name") || "unknown-stemcell", version: "", cid: text_("stemcell_cid") });
  }
  return state;
}

function withoutColons(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key.replace(/^:/, "")] = item;
  return out;
}

function legacyInvalid(path: string, problem: string): BootstrapError {
  return new BootstrapError("STATE_INVALID", `The legacy bosh-init state ${path} cannot be read: ${problem}`, {
    hint: `Fix or move away ${path}; it is only read when no state file exists.`,
  });
}
