/**
 * Pure builders for what the agent receives: the initial spec (networks only, so the agent
 * loads networking), the full apply spec bosh-cli sends, and the VM/disk metadata.
 */
export interface CompiledPackageRef {
  name: string;
  version: string;
  sha1: string;
  blobstore_id: string;
}

export interface InstanceIdentity {
  deployment: string;
  instanceGroup: string;
  networks: Record<string, unknown>;
}

/** What every spec says about the instance; bosh-cli sends index 0, id "0", az "unknown". */
function instanceFields(id: InstanceIdentity): Record<string, unknown> {
  return { deployment: id.deployment, name: id.instanceGroup, index: 0, id: "0", az: "unknown", networks: id.networks };
}

export function initialApplySpec(id: InstanceIdentity): Record<string, unknown> {
  return {
    ...instanceFields(id),
    job: { name: id.instanceGroup, templates: [] },
    packages: {},
    rendered_templates_archive: { blobstore_id: "", sha1: "" },
    configuration_hash: "",
  };
}

export function fullApplySpec(
  id: InstanceIdentity,
  jobs: readonly { name: string; fingerprint: string }[],
  packages: readonly CompiledPackageRef[],
  archive: { blobstoreId: string; sha1: string },
  configurationHash: string,
): Record<string, unknown> {
  return {
    ...instanceFields(id),
    job: {
      name: id.instanceGroup,
      templates: jobs.map((j) => ({ name: j.name, version: j.fingerprint, sha1: "", blobstore_id: "" })),
    },
    packages: Object.fromEntries(packages.map((p) => [p.name, p])),
    rendered_templates_archive: { blobstore_id: archive.blobstoreId, sha1: archive.sha1 },
    configuration_hash: configurationHash,
  };
}

export function vmMetadata(id: InstanceIdentity, tags: Record<string, string>, now: Date): Record<string, string> {
  return {
    deployment: id.deployment,
    job: id.instanceGroup,
    instance_group: id.instanceGroup,
    index: "0",
    director: "bootstrap",
    name: `${id.instanceGroup}/0`,
    created_at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...tags,
  };
}

export function diskMetadata(id: InstanceIdentity, tags: Record<string, string>, now: Date): Record<string, string> {
  return {
    deployment: id.deployment,
    instance_group: id.instanceGroup,
    instance_index: "0",
    director: "bootstrap",
    attached_at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...tags,
  };
}

/** create_vm's env: the resource pool's, with tags under env.bosh.tags as bosh-cli sets them. */
export function vmEnv(env: Record<string, unknown>, tags: Record<string, string>): Record<string, unknown> {
  if (Object.keys(tags).length === 0) return env;
  const bosh = (env["bosh"] ?? {}) as Record<string, unknown>;
  return { ...env, bosh: { ...bosh, tags } };
}
