/** IPv4/IPv6 address and CIDR arithmetic for the manual-network checks. */
import { isIP } from "node:net";

export interface Cidr {
  version: 4 | 6;
  network: bigint;
  broadcast: bigint;
  prefix: number;
}

function ipToBigInt(ip: string): { version: 4 | 6; value: bigint } | undefined {
  const version = isIP(ip);
  if (version === 4) return { version, value: ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (version !== 6) return undefined;
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1] as string)?.value ?? 0n;
    text = text.replace(v4[1] as string, `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`);
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return { version, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n) };
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip = "", prefixText, ...rest] = text.split("/");
  if (prefixText === undefined || rest.length > 0 || !/^\d+$/.test(prefixText)) return undefined;
  const addr = ipToBigInt(ip);
  if (addr === undefined) return undefined;
  const bits = addr.version === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = addr.value & ~hostMask & ((1n << BigInt(bits)) - 1n);
  return { version: addr.version, network, broadcast: network | hostMask, prefix };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const addr = ipToBigInt(ip);
  return addr !== undefined && addr.version === cidr.version && addr.value >= cidr.network && addr.value <= cidr.broadcast;
}

export function netmaskOf(cidr: Cidr): string {
  const bits = cidr.version === 4 ? 32 : 128;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - cidr.prefix)) - 1n);
  if (cidr.version === 4) return [24n, 16n, 8n, 0n].map((s) => String((mask >> s) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((mask >> s) & 0xffffn).toString(16).padStart(4, "0"));
  return groups.join(":");
}
