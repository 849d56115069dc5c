/**
 * The sandbox's pure parts: a VM's address outside 127.0.0.0/8 (netmask, gateway, subnet and
 * the provider's bridge named after it), limits from cloud_properties, and which namespace
 * probes are remembered.
 */
import { describe, expect, it } from "vitest";
import { defaultNetworkAddress } from "../../../src/local/cpi/agent-settings.js";
import { vmLimits } from "../../../src/local/cpi/vm-limits.js";
import { addressProblem, subnetOf } from "../../../src/local/vm/addressing.js";
import { bridgeName, hostVethName } from "../../../src/local/vm/network.js";
import { ProbeCache, type ProbeAnswer } from "../../../src/local/vm/unshare-probe.js";

const manual = (ip: string, netmask: string, gateway: string) => ({ default: { type: "manual", ip, netmask, gateway } });

describe("a VM's own address", () => {
  it("takes ip, netmask and gateway of the default network", () => {
    expect(defaultNetworkAddress(manual("10.253.120.10", "255.255.255.0", "10.253.120.1"))).toEqual({ ip: "10.253.120.10", netmask: "255.255.255.0", gateway: "10.253.120.1" });
  });

  it("needs a netmask and a gateway outside 127.0.0.0/8, and a loopback address needs neither", () => {
    expect(() => defaultNetworkAddress({ default: { ip: "10.253.120.10" } })).toThrow("needs a netmask and a gateway");
    expect(defaultNetworkAddress({ default: { ip: "127.0.120.10" } }).ip).toBe("127.0.120.10");
  });

  it.each([
    ["10.253.120.10", "255.255.255.0", "10.253.121.1", "gateway 10.253.121.1 is outside 10.253.120.10/24"],
    ["10.253.120.1", "255.255.255.0", "10.253.120.1", "is its gateway's"],
    ["10.253.120.255", "255.255.255.0", "10.253.120.1", "network or broadcast"],
    ["10.253.120.10", "255.0.255.0", "10.253.120.1", "not a valid IPv4 netmask"],
    ["10.253.120.10", "255.255.255.254", "10.253.120.11", "/8 to /30"],
    ["10.253.120", "255.255.255.0", "10.253.120.1", "not an IPv4 address"],
  ])("refuses %s/%s via %s", (ip, netmask, gateway, problem) => {
    expect(addressProblem({ ip, netmask, gateway })).toContain(problem);
  });

  it("accepts a host address of its subnet", () => {
    expect(addressProblem({ ip: "10.253.120.10", netmask: "255.255.255.0", gateway: "10.253.120.1" })).toBeUndefined();
    expect(subnetOf({ ip: "10.253.120.10", netmask: "255.255.252.0", gateway: "" })).toEqual({ network: (10 * 2 ** 24 + 253 * 2 ** 16 + 120 * 256) >>> 0, prefix: 22 });
  });

  it("names the bridge after the subnet and the veth after the VM, within 15 bytes", () => {
    const bridge = bridgeName({ ip: "10.253.120.10", netmask: "255.255.255.0", gateway: "10.253.120.1" });
    expect(bridge).toBe("bsb0afd780018");
    expect(bridgeName({ ip: "10.253.120.99", netmask: "255.255.255.0", gateway: "10.253.120.1" })).toBe(bridge);
    expect(hostVethName("vm-5bec59d6-4465-4e1a-90fd-eeef4a91a72e")).toBe("bsv5bec59d64465");
    expect(hostVethName("vm-5bec59d6-4465-4e1a-90fd-eeef4a91a72e").length).toBeLessThanOrEqual(15);
  });
});

describe("limits from cloud_properties", () => {
  it("reads ram (MiB) and cpu (cores), both optional, ignoring other properties", () => {
    expect(vmLimits({})).toEqual({});
    expect(vmLimits({ ram: 512, cpu: 0.5, instance_type: "m5.large" })).toEqual({ ramMb: 512, cpu: 0.5 });
    expect(vmLimits({ pids: 200 })).toEqual({ pids: 200 });
  });

  it.each([
    [{ ram: "512" }, "ram must be a number of MiB"],
    [{ ram: 4 }, "16 or more"],
    [{ cpu: 0 }, "cpu must be a number of cores"],
    [{ pids: 10 }, "pids must be a whole number of processes (64 or more)"],
    [{ pids: 100.5 }, "pids must be a whole number"],
    [{ pids: "100" }, "pids must be a whole number"],
  ])("refuses %j", (properties, message) => {
    expect(() => vmLimits(properties)).toThrow(message);
  });
});

describe("ProbeCache", () => {
  const scripted = (answers: ProbeAnswer[]) => {
    const asked: string[][] = [];
    return { asked, probe: (args: string[]) => (asked.push(args), answers.shift() ?? "works") };
  };

  it("probes a working unshare once while the host's conditions stay the same", () => {
    const { asked, probe } = scripted(["works"]);
    const cache = new ProbeCache(() => "uid 0, max_user_namespaces 100", probe);
    expect([cache.answer(["--user"]), cache.answer(["--user"]), cache.answer(["--user"])]).toEqual(["works", "works", "works"]);
    expect(asked).toEqual([["--user"]]);
  });

  it("probes again once a condition changed, and keeps answers apart per argument list", () => {
    let conditions = "max_user_namespaces 100";
    const { asked, probe } = scripted(["works", "works", "fails"]);
    const cache = new ProbeCache(() => conditions, probe);
    cache.answer(["--user"]);
    cache.answer(["--mount", "--pid"]);
    conditions = "max_user_namespaces 0";
    expect(cache.answer(["--user"])).toBe("fails");
    expect(asked).toEqual([["--user"], ["--mount", "--pid"], ["--user"]]);
  });

  it("never remembers a failure: each call probes, and reports, afresh", () => {
    const { asked, probe } = scripted(["cannot-start", "fails", "works", "works"]);
    const cache = new ProbeCache(() => "same", probe);
    expect([1, 2, 3, 4].map(() => cache.answer(["--user"]))).toEqual(["cannot-start", "fails", "works", "works"]);
    expect(asked).toHaveLength(3);
  });
});
