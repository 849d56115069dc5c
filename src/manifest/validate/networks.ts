/**
 * `networks:` and the instance group's network references, checked as bosh-cli's deployment
 * validator does, and turned into the interfaces create_vm and the apply spec receive.
 */
import { isIP } from "node:net";
import { cidrContains, netmaskOf, parseCidr, type Cidr } from "./ip.js";
import type { NetworkInterface } from "./types.js";
import { join, map, maps, str, strings, type Obj, type Problems } from "./reader.js";

interface NetworkDef {
  name: string;
  type: "manual" | "dynamic" | "vip";
  cloudProperties: Obj;
  dns?: string[];
  subnet?: { range: Cidr | undefined; gateway?: string; dns?: string[]; cloudProperties: Obj };
}

export function readNetworks(doc: Obj, p: Problems): Map<string, NetworkDef> {
  const out = new Map<string, NetworkDef>();
  for (const [net, at] of maps(doc, "networks", "", p)) {
    const name = str(net, "name", at, p);
    const type = net["type"];
    if (type !== "manual" && type !== "dynamic" && type !== "vip") {
      p.add(join(at, "type"), "must be 'manual', 'dynamic', or 'vip'");
      continue;
    }
    const def: NetworkDef = { name: name ?? "", type, cloudProperties: map(net, "cloud_properties", at, p) };
    if (net["dns"] !== undefined) def.dns = strings(net, "dns", at, p);
    if (type === "manual") {
      const subnets = maps(net, "subnets", at, p);
      if (subnets.length !== 1) p.add(join(at, "subnets"), "must be of size 1");
      const first = subnets[0];
      if (first !== undefined) def.subnet = readSubnet(first[0], first[1], p);
    }
    if (name !== undefined) {
      if (out.has(name)) p.add(join(at, "name"), `'${name}' must be unique`);
      out.set(name, def);
    }
  }
  return out;
}

function readSubnet(subnet: Obj, at: string, p: Problems): NonNullable<NetworkDef["subnet"]> {
  const rangeText = str(subnet, "range", at, p);
  const range = rangeText === undefined ? undefined : parseCidr(rangeText);
  if (rangeText !== undefined && range === undefined) p.add(join(at, "range"), `must be a valid CIDR, got '${rangeText}'`);
  const gateway = str(subnet, "gateway", at, p);
  if (gateway !== undefined) {
    if (isIP(gateway) === 0) p.add(join(at, "gateway"), `must be an IP, got '${gateway}'`);
    else if (range !== undefined) {
      if (!cidrContains(range, gateway)) p.add(join(at, "gateway"), `must be within the range ${rangeText ?? ""}`);
      else {
        const value = parseCidr(`${gateway}/${range.version === 4 ? 32 : 128}`)?.network;
        if (value === range.network) p.add(join(at, "gateway"), "can't be the network address");
        if (value === range.broadcast) p.add(join(at, "gateway"), "can't be the broadcast address");
      }
    }
  }
  return {
    range,
    ...(gateway === undefined ? {} : { gateway }),
    ...(subnet["dns"] === undefined ? {} : { dns: strings(subnet, "dns", at, p) }),
    cloudProperties: map(subnet, "cloud_properties", at, p),
  };
}

/** The instance group's `networks:` resolved against the definitions; also returns the address. */
export function buildInterfaces(
  group: Obj,
  groupPath: string,
  defs: Map<string, NetworkDef>,
  p: Problems,
): { interfaces: Record<string, NetworkInterface>; address: string } {
  const refs = maps(group, "networks", groupPath, p);
  if (refs.length === 0) p.add(join(groupPath, "networks"), "must be a non-empty array");
  const interfaces: Record<string, NetworkInterface> = {};
  const defaults = { dns: [] as string[], gateway: [] as string[] };
  for (const [ref, at] of refs) {
    const name = str(ref, "name", at, p);
    if (name === undefined) continue;
    const def = defs.get(name);
    if (def === undefined) {
      p.add(join(at, "name"), `network '${name}' is not defined in networks`);
      continue;
    }
    const ips = strings(ref, "static_ips", at, p);
    ips.forEach((ip, i) => {
      if (isIP(ip) === 0) p.add(join(join(at, "static_ips"), i), `'${ip}' must be a valid IP`);
      else if (def.subnet?.range !== undefined && !cidrContains(def.subnet.range, ip)) {
        p.add(join(join(at, "static_ips"), i), `IP '${ip}' is not within the range of network '${name}'`);
      }
    });
    const defaultFor = strings(ref, "default", at, p);
    for (const d of defaultFor) {
      if (d === "dns" || d === "gateway") defaults[d].push(name);
      else p.add(join(at, "default"), `'${d}' must be 'dns' or 'gateway'`);
    }
    interfaces[name] = toInterface(def, ips[0], defaultFor);
  }
  if (refs.length > 1) {
    for (const kind of ["dns", "gateway"] as const) {
      if (defaults[kind].length !== 1) {
        p.add(join(groupPath, "networks"), `exactly one network must be the default for ${kind} (found ${defaults[kind].length})`);
      }
    }
  }
  const names = Object.keys(interfaces);
  if (names.length === 1) (interfaces[names[0] as string] as NetworkInterface).default = ["dns", "gateway"];
  const gatewayNet = defaults.gateway[0] ?? names[0];
  const address = (gatewayNet === undefined ? undefined : interfaces[gatewayNet]?.ip) ?? Object.values(interfaces).find((i) => i.ip !== undefined)?.ip ?? "";
  return { interfaces, address };
}

function toInterface(def: NetworkDef, ip: string | undefined, defaultFor: string[]): NetworkInterface {
  const out: NetworkInterface = { type: def.type, cloud_properties: def.cloudProperties };
  if (def.type === "manual") {
    if (ip !== undefined) out.ip = ip;
    if (def.subnet?.range !== undefined) out.netmask = netmaskOf(def.subnet.range);
    if (def.subnet?.gateway !== undefined) out.gateway = def.subnet.gateway;
    if (def.subnet?.dns !== undefined) out.dns = def.subnet.dns;
    out.cloud_properties = def.subnet?.cloudProperties ?? {};
  } else {
    if (ip !== undefined) out.ip = ip;
    if (def.type === "dynamic" && def.dns !== undefined) out.dns = def.dns;
  }
  if (defaultFor.length > 0) out.default = defaultFor;
  return out;
}
