/**
 * The apply spec as the agent keeps it (`<base>/bosh/spec.json`, returned by get_state): the
 * client's spec with only `properties.logging.max_log_file_size` kept and job templates reduced
 * to name + version, like the real agent's re-serialisation. Before any apply it is all zero
 * values. Pure helpers read the parts the actions need.
 */
import type { Json } from "../settings.js";
import { isRecord } from "../../../common/index.js";

export interface SpecPackage {
  name: string;
  version: string;
  sha1: string;
  blobstore_id: string;
}

export interface SpecJob {
  name: string;
  version: string;
}

export function emptySpec(): Json {
  return {
    properties: { logging: { max_log_file_size: "" } },
    job: { name: null, release: "", template: "", version: "", templates: null },
    packages: {},
    configuration_hash: "",
    networks: {},
    resource_pool: {},
    deployment: "",
    name: "",
    index: null,
    id: "",
    az: "",
    persistent_disk: 0,
    rendered_templates_archive: null,
  };
}

export function normalizeSpec(input: Json): Json {
  const spec: Json = { ...emptySpec(), ...input };
  const logging = isRecord(input.properties) && isRecord(input.properties.logging) ? input.properties.logging : {};
  spec.properties = { logging: { max_log_file_size: typeof logging.max_log_file_size === "string" ? logging.max_log_file_size : "" } };
  const job = isRecord(input.job) ? input.job : {};
  const templates = Array.isArray(job.templates) ? job.templates.filter(isRecord).map((t) => ({ name: str(t.name), version: str(t.version) })) : null;
  spec.job = { name: typeof job.name === "string" ? job.name : null, release: "", template: "", version: "", templates };
  for (const key of ["packages", "networks", "resource_pool"]) if (!isRecord(spec[key])) spec[key] = {};
  return spec;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function configurationHash(spec: Json): string {
  return str(spec.configuration_hash);
}

export function renderedTemplatesArchive(spec: Json): { blobstoreId: string; sha1: string } | undefined {
  const archive = spec.rendered_templates_archive;
  if (!isRecord(archive)) return undefined;
  const blobstoreId = str(archive.blobstore_id);
  const sha1 = str(archive.sha1);
  return blobstoreId === "" && sha1 === "" ? undefined : { blobstoreId, sha1 };
}

/** The spec's jobs; none without a rendered templates archive, as in the real agent. */
export function specJobs(spec: Json): SpecJob[] {
  if (renderedTemplatesArchive(spec) === undefined) return [];
  const job = isRecord(spec.job) ? spec.job : {};
  const templates = Array.isArray(job.templates) ? job.templates.filter(isRecord) : [];
  return templates.map((t) => ({ name: str(t.name), version: str(t.version) }));
}

export function specPackages(spec: Json): SpecPackage[] {
  const packages = isRecord(spec.packages) ? spec.packages : {};
  return Object.values(packages)
    .filter(isRecord)
    .map((p) => ({ name: str(p.name), version: str(p.version), sha1: str(p.sha1), blobstore_id: str(p.blobstore_id) }));
}

/** Spec networks must exist in settings; dynamic ones take the agent-resolved addresses. */
export function resolveNetworks(spec: Json, settingsNetworks: Record<string, Json>): Json {
  const networks = isRecord(spec.networks) ? spec.networks : {};
  const resolved: Json = {};
  for (const [name, value] of Object.entries(networks)) {
    const network = isRecord(value) ? value : {};
    if (name === "local" && network.ip === "127.0.0.1") {
      resolved[name] = network;
      continue;
    }
    const fromSettings = settingsNetworks[name];
    if (fromSettings === undefined) throw new Error(`Resolving dynamic networks: Network '${name}' is not found in settings`);
    const dynamic = network.type === "dynamic" || fromSettings.type === "dynamic" || fromSettings.use_dhcp === true;
    resolved[name] = dynamic ? { ...network, ip: fromSettings.ip, netmask: fromSettings.netmask, gateway: fromSettings.gateway } : network;
  }
  return { ...spec, networks: resolved };
}
