/**
 * What a VM is made from, kept in the state file beside it (current_vm_inputs) as one digest per
 * part of the manifest that create_vm, the CPI's agent settings or the disk steps took. A deploy
 * whose parts all digest alike may keep the VM and update the instance in place; any part that
 * differs is named, and the VM is replaced. The stemcell is judged apart, from its own record.
 * Pure.
 */
import { createHash } from "node:crypto";
import { stableJson } from "../common/index.js";
import type { BootstrapManifest } from "../manifest/index.js";

/** Each part, as the reason for replacing a VM names it. */
const PARTS = {
  resource_pool: "the resource pool's cloud_properties or env",
  networks: "the networks",
  cloud_provider: "the cloud_provider section (mbus, certificates, CPI properties or SSH tunnel)",
  disk_pool: "the disk pool",
  tags: "the tags",
  instance: "the deployment or instance group name",
} as const;

export type VmInputName = keyof typeof PARTS;
export type VmInputDigests = Record<VmInputName, string>;

export type VmShapingManifest = Pick<BootstrapManifest, "name" | "resourcePool" | "diskPool" | "networks" | "tags" | "cloudProvider" | "instanceGroup">;

export function vmInputDigests(manifest: VmShapingManifest): VmInputDigests {
  const { diskPool } = manifest;
  const parts: Record<VmInputName, unknown> = {
    resource_pool: { cloud_properties: manifest.resourcePool.cloudProperties, env: manifest.resourcePool.env },
    networks: manifest.networks,
    cloud_provider: manifest.cloudProvider,
    disk_pool: diskPool === undefined ? null : { disk_size: diskPool.diskSize, cloud_properties: diskPool.cloudProperties },
    tags: manifest.tags,
    instance: { deployment: manifest.name, instance_group: manifest.instanceGroup.name },
  };
  const digests = {} as VmInputDigests;
  for (const name of Object.keys(PARTS) as VmInputName[]) {
    digests[name] = createHash("sha256").update(stableJson(parts[name])).digest("hex");
  }
  return digests;
}

/** Why the recorded VM is not what the manifest makes: one line per part that differs (or is not recorded). */
export function vmInputChanges(recorded: Readonly<Record<string, string>>, wanted: VmInputDigests): string[] {
  return (Object.keys(PARTS) as VmInputName[]).filter((name) => recorded[name] !== wanted[name]).map((name) => `${PARTS[name]} changed`);
}
