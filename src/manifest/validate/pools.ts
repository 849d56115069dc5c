/** `resource_pools:` (VM type + stemcell) and `disk_pools:`, selected by the instance group. */
import type { BootstrapManifest } from "./types.js";
import { readArtefactRef } from "./artefacts.js";
import { int, join, map, maps, str, type Obj, type Problems } from "./reader.js";
import type { GroupRefs } from "./instance-group.js";

export function readResourcePool(
  doc: Obj,
  refs: GroupRefs | undefined,
  networkNames: Set<string>,
  dir: string,
  p: Problems,
): { pool: BootstrapManifest["resourcePool"]; stemcell: BootstrapManifest["stemcell"] } | undefined {
  let chosen: { pool: BootstrapManifest["resourcePool"]; stemcell: BootstrapManifest["stemcell"] } | undefined;
  const seen = new Set<string>();
  for (const [rp, at] of maps(doc, "resource_pools", "", p)) {
    const name = str(rp, "name", at, p);
    if (name !== undefined) {
      if (seen.has(name)) p.add(join(at, "name"), `'${name}' must be unique`);
      seen.add(name);
    }
    const network = str(rp, "network", at, p, false);
    if (network !== undefined && !networkNames.has(network)) p.add(join(at, "network"), "must be the name of a network");
    const stemcellAt = join(at, "stemcell");
    if (rp["stemcell"] === undefined || rp["stemcell"] === null) p.add(join(stemcellAt, "url"), "must be provided");
    const stemcell = readArtefactRef(map(rp, "stemcell", at, p), stemcellAt, dir, p);
    const cloudProperties = map(rp, "cloud_properties", at, p);
    const env = map(rp, "env", at, p);
    if (name !== undefined && name === refs?.resourcePool && stemcell !== undefined) chosen = { pool: { name, cloudProperties, env }, stemcell };
  }
  if (refs?.resourcePool !== undefined && !seen.has(refs.resourcePool)) {
    p.add(join(refs.path, "resource_pool"), `resource pool '${refs.resourcePool}' is not defined in resource_pools`);
  }
  return chosen;
}

/** persistent_disk_pool wins; else persistent_disk > 0 makes a pool with no cloud_properties. */
export function readDiskPool(doc: Obj, refs: GroupRefs | undefined, p: Problems): BootstrapManifest["diskPool"] {
  const pools = new Map<string, NonNullable<BootstrapManifest["diskPool"]>>();
  for (const [dp, at] of maps(doc, "disk_pools", "", p)) {
    const name = str(dp, "name", at, p);
    const size = int(dp, "disk_size", at, p);
    if (size === undefined || size <= 0) p.add(join(at, "disk_size"), "must be > 0");
    const cloudProperties = map(dp, "cloud_properties", at, p);
    if (name !== undefined) {
      if (pools.has(name)) p.add(join(at, "name"), `'${name}' must be unique`);
      pools.set(name, { name, diskSize: size ?? 0, cloudProperties });
    }
  }
  if (refs?.persistentDiskPool !== undefined) {
    const pool = pools.get(refs.persistentDiskPool);
    if (pool === undefined) p.add(join(refs.path, "persistent_disk_pool"), `disk pool '${refs.persistentDiskPool}' is not defined in disk_pools`);
    return pool;
  }
  if (refs?.persistentDisk !== undefined && refs.persistentDisk > 0) return { name: "", diskSize: refs.persistentDisk, cloudProperties: {} };
  return undefined;
}
