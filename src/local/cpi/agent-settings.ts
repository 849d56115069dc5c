/**
 * The settings file the CPI hands to the stemcell's agent (bosh-agent settings shape,
 * reference bosh-agent-protocol.md §3.1), delivered as /var/vcap/bosh/warden-cpi-agent-env.json
 * like file-based CPIs do. Pure: building and updating the object only.
 */
import type { CpiConfig } from "./config.js";
import { cloudError } from "../shared/index.js";
import { isRecord } from "../../common/index.js";
import { addressProblem, type VmAddress } from "../vm/index.js";

export interface AgentSettings {
  agent_id: string;
  vm: { name: string };
  mbus: string;
  ntp: string[];
  blobstore: { provider: string; options: Record<string, unknown> };
  networks: Record<string, unknown>;
  disks: { system: string; ephemeral: string; persistent: Record<string, { path: string }>; raw_ephemeral: [] };
  env: Record<string, unknown>;
}

export function buildAgentSettings(a: {
  agentId: string;
  vmCid: string;
  vmIp: string;
  config: CpiConfig;
  networks: Record<string, unknown>;
  env: Record<string, unknown>;
}): AgentSettings {
  return {
    agent_id: a.agentId,
    vm: { name: a.vmCid },
    mbus: mbusForVm(a.config.mbus, a.vmIp),
    ntp: a.config.ntp,
    blobstore: a.config.blobstore,
    networks: a.networks,
    disks: { system: "", ephemeral: "", persistent: {}, raw_ephemeral: [] },
    env: a.env,
  };
}

/**
 * The mbus URL with 0.0.0.0 made the VM's own IP: local VMs share the host's network stack, so
 * an agent that took 0.0.0.0 literally (the upstream one does) would hold the port on every
 * address, and a second VM's agent could not listen.
 */
export function mbusForVm(mbus: string, vmIp: string): string {
  return mbus.replace(/^(https?:\/\/(?:[^@/]*@)?)0\.0\.0\.0(?=[:/]|$)/, `$1${vmIp}`);
}

export function withPersistentDisk(settings: AgentSettings, diskCid: string, path: string): AgentSettings {
  return { ...settings, disks: { ...settings.disks, persistent: { ...settings.disks.persistent, [diskCid]: { path } } } };
}

export function withoutPersistentDisk(settings: AgentSettings, diskCid: string): AgentSettings {
  const persistent = Object.fromEntries(Object.entries(settings.disks.persistent).filter(([cid]) => cid !== diskCid));
  return { ...settings, disks: { ...settings.disks, persistent } };
}

/**
 * The VM's address: the IP, netmask and gateway of the network that is default for the
 * gateway (or the only network). An address in 127.0.0.0/8 works on the host's `lo` without
 * configuration (the VM then shares the host's network stack); any other gets a network
 * namespace of its own on the provider's bridge, whose address is the gateway.
 */
export function defaultNetworkAddress(networks: Record<string, unknown>): VmAddress {
  const entries = Object.entries(networks).filter(([, n]) => isRecord(n));
  if (entries.length === 0) throw cloudError("create_vm needs at least one network");
  const chosen =
    entries.length === 1
      ? entries[0]
      : entries.find(([, n]) => isRecord(n) && Array.isArray(n["default"]) && n["default"].includes("gateway"));
  if (chosen === undefined) throw cloudError("create_vm: with several networks, one must be default for 'gateway'");
  const [name, network] = chosen as [string, Record<string, unknown>];
  const { ip, netmask, gateway } = network;
  if (typeof ip !== "string" || ip === "") {
    throw cloudError(`Network '${name}' has no IP: the local CPI needs a static IP (e.g. manual network with static_ips)`);
  }
  if (isLoopbackIpv4(ip)) return { ip, netmask: typeof netmask === "string" ? netmask : "255.0.0.0", gateway: typeof gateway === "string" ? gateway : "" };
  if (typeof netmask !== "string" || typeof gateway !== "string") {
    throw cloudError(`Network '${name}' IP '${ip}' needs a netmask and a gateway: a VM outside 127.0.0.0/8 gets its own network on a bridge whose address is the gateway`);
  }
  const problem = addressProblem({ ip, netmask, gateway });
  if (problem !== undefined) throw cloudError(`Network '${name}': ${problem}`);
  return { ip, netmask, gateway };
}

export function isLoopbackIpv4(ip: string): boolean {
  const parts = ip.split(".");
  return (
    parts.length === 4 &&
    parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) &&
    ip !== "127.0.0.0" &&
    ip !== "127.255.255.255"
  );
}
