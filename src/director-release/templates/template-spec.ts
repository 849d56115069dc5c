/**
 * The `spec` object templates see, built from the render context the way bosh-cli's
 * RootContext does (create-env ref §4.5), extended with the instance facts the director gives
 * templates (name, id, az, ip, bootstrap, persistent_disk, release). Pure.
 */
import { isPlainObject } from "./resolve-properties.js";
import type { RenderContext } from "./types.js";

export interface TemplateSpec {
  deployment: string;
  name: string;
  index: number;
  id: string;
  az: string;
  bootstrap: boolean;
  address?: string;
  ip?: string;
  networks: Record<string, Record<string, unknown>>;
  persistent_disk: number;
  job: { name: string };
  release: { name: string; version: string };
  properties: Record<string, unknown>;
}

export function buildTemplateSpec(
  jobName: string,
  release: { name: string; version: string },
  ctx: RenderContext,
  properties: Record<string, unknown>,
): TemplateSpec {
  const spec: TemplateSpec = {
    deployment: ctx.deployment,
    name: ctx.instanceGroup,
    index: ctx.index,
    id: ctx.id,
    az: ctx.az,
    bootstrap: ctx.bootstrap,
    networks: templateNetworks(ctx.networks),
    persistent_disk: ctx.persistentDiskMb,
    // bosh-cli names the release job here (spec.job.name and the `name` helper), not the group.
    job: { name: jobName },
    release: { name: release.name, version: release.version },
    properties,
  };
  if (ctx.address !== undefined && ctx.address !== "") {
    spec.address = ctx.address;
    spec.ip = ctx.address;
  }
  return spec;
}

/** Every network carries ip/netmask/gateway (empty when unknown) so `spec.networks.x.ip` never raises. */
function templateNetworks(networks: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(networks)) {
    const network = isPlainObject(value) ? value : {};
    out[name] = { ip: "", netmask: "", gateway: "", ...JSON.parse(JSON.stringify(network)) };
  }
  return out;
}
