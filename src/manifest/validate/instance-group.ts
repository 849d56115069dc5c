/**
 * The single job / instance group (`jobs:` or `instance_groups:`), its release jobs (`jobs:` or
 * legacy `templates:`), resource pool and persistent disk, as bosh-cli's deployment validator
 * and deployer require them.
 */
import type { BootstrapManifest } from "./types.js";
import { int, join, map, maps, str, type Obj, type Problems } from "./reader.js";
import { isRecord } from "../../common/index.js";

type Group = BootstrapManifest["instanceGroup"];

export interface GroupRefs {
  group: Obj;
  path: string;
  resourcePool?: string;
  persistentDiskPool?: string;
  persistentDisk?: number;
}

export function findInstanceGroup(doc: Obj, p: Problems): GroupRefs | undefined {
  const hasJobs = doc["jobs"] !== undefined && doc["jobs"] !== null;
  const hasGroups = doc["instance_groups"] !== undefined && doc["instance_groups"] !== null;
  if (hasJobs && hasGroups) {
    p.add("", "Deployment specifies both jobs and instance_groups keys, only one is allowed");
    return undefined;
  }
  const key = hasJobs ? "jobs" : "instance_groups";
  const groups = maps(doc, key, "", p);
  if (groups.length !== 1) {
    p.add(key, `must be of size 1 (bootstrap deploys exactly one instance group, found ${groups.length})`);
    return undefined;
  }
  const [group, path] = groups[0] as [Obj, string];
  const refs: GroupRefs = { group, path };
  const resourcePool = str(group, "resource_pool", path, p);
  if (resourcePool !== undefined) refs.resourcePool = resourcePool;
  const diskPool = str(group, "persistent_disk_pool", path, p, false);
  if (diskPool !== undefined) refs.persistentDiskPool = diskPool;
  const disk = int(group, "persistent_disk", path, p);
  if (disk !== undefined) {
    if (disk < 0) p.add(join(path, "persistent_disk"), "must be >= 0");
    else refs.persistentDisk = disk;
  }
  return refs;
}

export function readInstanceGroup(refs: GroupRefs, releaseNames: Set<string>, p: Problems): Group {
  const { group, path } = refs;
  const name = str(group, "name", path, p) ?? "";
  const instances = int(group, "instances", path, p);
  if (instances !== undefined && instances < 0) p.add(join(path, "instances"), "must be >= 0");
  else if (instances !== 1) p.add(join(path, "instances"), `Job '${name}' must have only one instance, found ${instances ?? 0}`);
  const lifecycle = group["lifecycle"];
  if (lifecycle !== undefined && lifecycle !== null && lifecycle !== "" && lifecycle !== "service") {
    p.add(join(path, "lifecycle"), `'${String(lifecycle)}' is not supported, only 'service'`);
  }
  const hasJobs = group["jobs"] !== undefined && group["jobs"] !== null;
  const hasTemplates = group["templates"] !== undefined && group["templates"] !== null;
  if (hasJobs && hasTemplates) p.add(path, "specifies both templates and jobs keys, only one is allowed");
  const jobsKey = hasTemplates && !hasJobs ? "templates" : "jobs";
  const seen = new Set<string>();
  const jobs: Group["jobs"] = [];
  for (const [job, at] of maps(group, jobsKey, path, p)) {
    const jobName = str(job, "name", at, p);
    const release = str(job, "release", at, p);
    if (jobName !== undefined) {
      if (seen.has(jobName)) p.add(join(at, "name"), `'${jobName}' must be unique`);
      seen.add(jobName);
    }
    if (release !== undefined && !releaseNames.has(release)) p.add(join(at, "release"), `'${release}' must refer to a release in releases`);
    const props = job["properties"];
    if (props !== undefined && props !== null && !isRecord(props)) p.add(join(at, "properties"), "must be a map");
    if (jobName !== undefined && release !== undefined) jobs.push({ name: jobName, release, properties: isRecord(props) ? props : null });
  }
  return { name, jobs, properties: map(group, "properties", path, p) };
}
