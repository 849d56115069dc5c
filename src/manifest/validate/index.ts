/**
 * Validation of an interpolated manifest into the typed BootstrapManifest, with every rule of
 * bosh-cli's create-env parsers (release set, installation, deployment). All problems are
 * collected and reported at once (MANIFEST_INVALID, one detail line per problem, each with its
 * path); unknown keys are ignored, as bosh-cli ignores them.
 */
import { dirname, resolve } from "node:path";
import { BootstrapError, isRecord } from "../../common/index.js";
import type { BootstrapManifest } from "./types.js";
import { map, str, type Obj, Problems } from "./reader.js";
import { readReleases } from "./artefacts.js";
import { buildInterfaces, readNetworks } from "./networks.js";
import { findInstanceGroup, readInstanceGroup } from "./instance-group.js";
import { readDiskPool, readResourcePool } from "./pools.js";
import { readCloudProvider } from "./cloud-provider.js";

export type { BootstrapManifest, NetworkInterface } from "./types.js";

export async function validateManifest(document: unknown, manifestPath: string): Promise<BootstrapManifest> {
  const path = resolve(manifestPath);
  const dir = dirname(path);
  const p = new Problems();
  const doc: Obj = isRecord(document) ? document : {};
  if (!isRecord(document)) p.add("", "the manifest must be a YAML map");

  const name = str(doc, "name", "", p) ?? "";
  const releases = readReleases(doc, dir, p);
  const releaseNames = new Set(releases.map((r) => r.name));
  const networkDefs = readNetworks(doc, p);
  const refs = findInstanceGroup(doc, p);
  const resource = readResourcePool(doc, refs, new Set(networkDefs.keys()), dir, p);
  const diskPool = readDiskPool(doc, refs, p);
  const group = refs === undefined ? undefined : readInstanceGroup(refs, releaseNames, p);
  const nets = refs === undefined ? undefined : buildInterfaces(refs.group, refs.path, networkDefs, p);
  const update = readWatchTime(doc, p);
  const tags = readTags(doc, p);
  const properties = map(doc, "properties", "", p);
  const cloudProvider = await readCloudProvider(doc, releaseNames, dir, p);

  if (p.list.length > 0 || group === undefined || nets === undefined || resource === undefined) {
    throw new BootstrapError("MANIFEST_INVALID", `Manifest '${manifestPath}' is not valid (${p.list.length} problem${p.list.length === 1 ? "" : "s"})`, {
      details: p.list,
      hint: "Fix each listed path in the manifest or its ops files, then run again (bootstrap interpolate shows the manifest after ops and variables).",
    });
  }
  return {
    name,
    path,
    dir,
    releases,
    stemcell: resource.stemcell,
    resourcePool: resource.pool,
    ...(diskPool === undefined ? {} : { diskPool }),
    networks: nets.interfaces,
    address: nets.address,
    instanceGroup: group,
    properties,
    update,
    tags,
    cloudProvider,
  };
}

function readWatchTime(doc: Obj, p: Problems): BootstrapManifest["update"] {
  const text = str(map(doc, "update", "", p), "update_watch_time", "update", p, false);
  if (text === undefined) return { watchTimeStartMs: 0, watchTimeEndMs: 300_000 };
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (m === null) {
    p.add("update.update_watch_time", `must be a range of milliseconds like '0-300000', got '${text}'`);
    return { watchTimeStartMs: 0, watchTimeEndMs: 300_000 };
  }
  const [start, end] = [Number(m[1]), Number(m[2])];
  if (start > end) p.add("update.update_watch_time", `start ${start} must not be after end ${end}`);
  return { watchTimeStartMs: start, watchTimeEndMs: end };
}

function readTags(doc: Obj, p: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map(doc, "tags", "", p))) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = String(value);
    else p.add(`tags.${key}`, "must be a string");
  }
  return out;
}
