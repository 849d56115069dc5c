/**
 * A VM's address as the manifest's network gives it (ip, netmask, gateway), and the subnet
 * arithmetic the provider's bridge needs. Pure.
 */
export interface VmAddress {
  ip: string;
  netmask: string;
  gateway: string;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Network number and prefix length (throws on a malformed address: check addressProblem first). */
export function subnetOf(address: VmAddress): { network: number; prefix: number } {
  const ip = parseIpv4(address.ip);
  const mask = parseIpv4(address.netmask);
  if (ip === undefined || mask === undefined) throw new Error(`not an IPv4 address and netmask: ${address.ip}/${address.netmask}`);
  const prefix = mask.toString(2).replace(/0+$/, "").length;
  return { network: prefix === 0 ? 0 : (ip & ~(2 ** (32 - prefix) - 1)) >>> 0, prefix };
}

/** Why this address cannot be a VM's on its subnet, or undefined when it can. */
export function addressProblem(address: VmAddress): string | undefined {
  const ip = parseIpv4(address.ip);
  const mask = parseIpv4(address.netmask);
  const gateway = parseIpv4(address.gateway);
  if (ip === undefined) return `'${address.ip}' is not an IPv4 address`;
  if (mask === undefined || !/^1*0*$/.test(mask.toString(2).padStart(32, "0"))) return `netmask '${address.netmask}' is not a valid IPv4 netmask`;
  if (gateway === undefined) return `gateway '${address.gateway}' is not an IPv4 address`;
  const { network, prefix } = subnetOf(address);
  if (prefix < 8 || prefix > 30) return `netmask '${address.netmask}' must leave a subnet of /8 to /30`;
  const inSubnet = (n: number) => (prefix === 0 ? 0 : (n & ~(2 ** (32 - prefix) - 1)) >>> 0) === network;
  const broadcast = network + 2 ** (32 - prefix) - 1;
  if (!inSubnet(gateway)) return `gateway ${address.gateway} is outside ${address.ip}/${prefix}`;
  if (ip === gateway) return `the VM's IP ${address.ip} is its gateway's (the host's end of the provider's bridge)`;
  if (ip === network || ip === broadcast) return `${address.ip} is the subnet's network or broadcast address`;
  return undefined;
}
