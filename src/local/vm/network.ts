/**
 * A VM's own network: the provider's bridge for the manifest's subnet (named after the subnet,
 * holding the network's gateway address, so the host reaches every VM on it), and a veth pair
 * whose VM end is eth0 inside the VM's network namespace with the manifest's IP (set by the
 * VM's init, which is root in that namespace: the ports below 1024 are then the VM's). Only
 * interfaces the provider makes are touched: a subnet that any other host interface or route
 * already covers is refused, and the host's forwarding and firewall settings are left alone.
 *
 * The namespace is the one `unshare --net` gave the VM's init: it ends with the VM's last
 * process, and the veth pair with it. The bridge is removed by the delete that leaves it empty.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { cloudError } from "../shared/index.js";
import { parseIpv4, subnetOf, type VmAddress } from "./addressing.js";


export const VM_INTERFACE = "eth0";
const IFF_UP = 0x1;

/** Interface names are at most 15 bytes: "bsb" + 8 hex digits of the network + 2 of the prefix. */
export function bridgeName(address: VmAddress): string {
  const { network, prefix } = subnetOf(address);
  return `bsb${hex(network)}${prefix.toString(16).padStart(2, "0")}`;
}

/** "bsv" + 12 hex digits of the VM's cid: unique per VM, found again by delete_vm. */
export function hostVethName(vmCid: string): string {
  return `bsv${vmCid.replace(/^vm-/, "").replace(/-/g, "").slice(0, 12)}`;
}

/**
 * The host's side: the bridge (made on first use) and the veth pair, its VM end moved into the
 * namespace of the VM's init as eth0. The VM's init configures that end (vmNetworkCommands).
 */
export async function connectVm(o: { vmCid: string; initPid: number; address: VmAddress }): Promise<void> {
  const bridge = bridgeName(o.address);
  const veth = hostVethName(o.vmCid);
  for (let attempt = 0; ; attempt++) {
    await ensureBridge(bridge, o.address);
    try {
      const add = existsSync(`/sys/class/net/${veth}`) ? "" : `link add ${veth} type veth peer name ${VM_INTERFACE} netns ${o.initPid}\n`;
      await ip({ batch: `${add}link set ${veth} master ${bridge} up\n` });
      return;
    } catch (error) {
      // A delete that emptied the bridge may have removed it between ensure and attach.
      if (attempt > 0 || existsSync(`/sys/class/net/${bridge}`)) throw error;
    }
  }
}

/**
 * What the VM's init runs inside its namespace once connected (`ip -batch`): loopback up, its
 * address on eth0, and the default route via the gateway, which is the host's end of the
 * bridge. Whether packets go further is the host's forwarding setting, which is left alone.
 */
export function vmNetworkCommands(address: VmAddress): string {
  const { prefix } = subnetOf(address);
  return [
    `link set lo up`,
    `addr add ${address.ip}/${prefix} dev ${VM_INTERFACE}`,
    `link set ${VM_INTERFACE} up`,
    `route add default via ${address.gateway}`,
  ].join("\n");
}

/** Removes what is left of the VM's network: its veth (normally gone with the namespace) and an emptied bridge. */
export async function disconnectVm(vmCid: string, address: VmAddress): Promise<void> {
  const veth = hostVethName(vmCid);
  if (existsSync(`/sys/class/net/${veth}`)) await ip("link", "del", veth).catch(() => undefined);
  const bridge = bridgeName(address);
  const ports = await readdir(`/sys/class/net/${bridge}/brif`).catch(() => undefined);
  if (ports !== undefined && ports.length === 0) await ip("link", "del", bridge).catch(() => undefined);
}

async function ensureBridge(bridge: string, address: VmAddress): Promise<void> {
  const { prefix } = subnetOf(address);
  const cidr = `${address.gateway}/${prefix}`;
  if (!existsSync(`/sys/class/net/${bridge}`)) {
    await refuseForeignRoutes(address);
    // Another CPI may make it at the same moment: either is as good.
    await ip("link", "add", bridge, "type", "bridge").catch((error: unknown) => {
      if (!existsSync(`/sys/class/net/${bridge}`)) throw error;
    });
  }
  // An existing bridge is made complete too: a CPI killed while making it may have left it
  // without its address or down.
  const held = await addressesOf(bridge);
  if (held.length > 0 && !held.includes(cidr)) {
    throw cloudError(
      `LOCAL_NETWORK_CONFLICT: the provider's bridge ${bridge} for this subnet holds ${held.join(", ")}, not the gateway ${cidr}: ` +
        "give every manifest on this host the same gateway for one subnet, or delete the VMs on it first",
    );
  }
  if (held.length === 0) await ip("addr", "replace", cidr, "dev", bridge);
  const flags = Number((await readFile(`/sys/class/net/${bridge}/flags`, "utf8")).trim());
  if ((flags & IFF_UP) === 0) await ip("link", "set", bridge, "up");
}

/** A subnet another interface routes (the host's LAN, a VPN, Docker) is not ours to use. */
async function refuseForeignRoutes(address: VmAddress): Promise<void> {
  const { network, prefix } = subnetOf(address);
  const routes = JSON.parse((await ip("-j", "route", "show", "table", "all")).stdout || "[]") as { dst?: string; dev?: string }[];
  for (const route of routes) {
    if (route.dst === undefined || route.dst === "default" || route.dev?.startsWith("bsb") === true) continue;
    const [dstIp = "", dstPrefix = "32"] = route.dst.split("/");
    const other = parseIpv4(dstIp);
    if (other === undefined || route.dev === "lo") continue;
    const common = Math.min(prefix, Number(dstPrefix));
    if (maskOf(common, network) === maskOf(common, other)) {
      throw cloudError(
        `LOCAL_NETWORK_CONFLICT: subnet ${address.ip}/${prefix} overlaps ${route.dst} on ${route.dev ?? "another interface"} of this host: ` +
          "choose a private range no host interface uses for the manifest's network",
      );
    }
  }
}

async function addressesOf(link: string): Promise<string[]> {
  const parsed = JSON.parse((await ip("-j", "addr", "show", "dev", link)).stdout || "[]") as { addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  return (parsed[0]?.addr_info ?? []).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`);
}

/** `ip ARGS`, or `ip -batch -` reading the given commands. */
function ip(...args: (string | { batch: string })[]): Promise<{ stdout: string }> {
  const batch = args.find((a): a is { batch: string } => typeof a !== "string");
  const argv = batch === undefined ? (args as string[]) : ["-batch", "-"];
  return new Promise((resolve, reject) => {
    const child = execFile("ip", argv, (error, stdout, stderr) => {
      if (error === null) resolve({ stdout });
      else reject(cloudError(`'ip ${batch === undefined ? argv.join(" ") : `-batch: ${batch.batch.trim().replace(/\n/g, "; ")}`}' failed: ${stderr.trim() || error.message}`, true));
    });
    // An ip that failed early closes its stdin: its exit status tells why, not the EPIPE.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(batch?.batch);
  });
}

function maskOf(prefix: number, value: number): number {
  return prefix === 0 ? 0 : (value >>> (32 - prefix)) >>> 0;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, "0");
}
