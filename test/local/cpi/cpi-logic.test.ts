/**
 * The CPI's pure parts: request and config decoding, agent settings, addresses, /proc parsing.
 */
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import {
  buildAgentSettings,
  defaultNetworkAddress,
  isLoopbackIpv4,
  mbusForVm,
  withoutPersistentDisk,
  withPersistentDisk,
} from "../../../src/local/cpi/agent-settings.js";
import { authorizedKeysOf } from "../../../src/local/sshd/authorized-keys.js";
import { decodeConfig } from "../../../src/local/cpi/config.js";
import { isLocalCid } from "../../../src/local/cpi/inventory-paths.js";
import { Args, decodeRequest, failureResponse } from "../../../src/local/cpi/protocol.js";
import { CpiFailure, cloudError } from "../../../src/local/shared/index.js";
import { fingerprintOf, newEd25519KeyPair } from "../../../src/local/sshd/host-key.js";
import { parseStat } from "../../../src/local/vm/process-info.js";

const CONFIG = {
  agent: { mbus: "https://mbus:pw@0.0.0.0:6868" },
  blobstore: { provider: "local", options: { blobstore_path: "/b" } },
  ntp: ["ntp.example"],
  local: { base_dir: "/base", ssh_port: 2200, ssh_user: "vcap" },
};

describe("decodeRequest", () => {
  it("reads method, arguments, context and api_version", () => {
    expect(decodeRequest('{"method":"has_vm","arguments":["vm-1"],"context":{"director_uuid":"d"},"api_version":2}')).toEqual({
      method: "has_vm",
      arguments: ["vm-1"],
      context: { director_uuid: "d" },
      apiVersion: 2,
    });
  });

  it("defaults missing arguments to [] and api_version to 1", () => {
    expect(decodeRequest('{"method":"info"}')).toMatchObject({ arguments: [], apiVersion: 1 });
  });

  it.each([["not json"], ["[]"], ['{"method":""}'], ['{"method":"x","arguments":{}}']])("rejects %s as CloudError", (text) => {
    expect(() => decodeRequest(text)).toThrow(CpiFailure);
  });
});

describe("Args", () => {
  const args = new Args("create_disk", [1024, { a: 1 }, null, ""]);
  it("gives typed positional arguments, treating null cloud properties as {}", () => {
    expect(args.positiveInteger(0, "size")).toBe(1024);
    expect(args.record(1, "cloud_properties")).toEqual({ a: 1 });
    expect(args.record(2, "x")).toEqual({});
    expect(args.optionalString(3)).toBeUndefined();
  });
  it("names the argument that has the wrong type", () => {
    expect(() => args.string(0, "vm_cid")).toThrow("Invalid arguments for 'create_disk': argument 0 (vm_cid) must be a non-empty string");
  });
});

describe("failureResponse", () => {
  it("has the protocol's shape", () => {
    expect(failureResponse(cloudError("boom", true))).toEqual({
      result: null,
      error: { type: "Bosh::Clouds::CloudError", message: "boom", ok_to_retry: true },
      log: "",
    });
  });
});

describe("decodeConfig", () => {
  it("reads every setting", () => {
    expect(decodeConfig(CONFIG, "c.json", "/home/u")).toEqual({
      mbus: "https://mbus:pw@0.0.0.0:6868",
      blobstore: { provider: "local", options: { blobstore_path: "/b" } },
      ntp: ["ntp.example"],
      baseDir: "/base",
      sshPort: 2200,
      sshUser: "vcap",
    });
  });

  it("defaults base dir to ~/.bootstrap/local, ssh port 2222 and user vcap", () => {
    expect(decodeConfig({ ...CONFIG, local: { base_dir: "" } }, "c.json", "/home/u")).toMatchObject({
      baseDir: "/home/u/.bootstrap/local",
      sshPort: 2222,
      sshUser: "vcap",
    });
  });

  it("names the file and the bad setting", () => {
    expect(() => decodeConfig({ ...CONFIG, agent: {} }, "/x/cpi.json")).toThrow("Invalid CPI config '/x/cpi.json': agent.mbus");
    expect(() => decodeConfig({ ...CONFIG, local: { ssh_port: 70000 } }, "c")).toThrow("local.ssh_port");
  });
});

describe("agent settings", () => {
  const config = decodeConfig(CONFIG, "c");
  const networks = { default: { type: "manual", ip: "127.0.30.1", default: ["dns", "gateway"] } };

  it("builds the bosh-agent settings shape with env verbatim and 0.0.0.0 made the VM's IP", () => {
    const env = { bosh: { mbus: { cert: { ca: "x" } } } };
    expect(buildAgentSettings({ agentId: "a", vmCid: "vm-1", vmIp: "127.0.30.1", config, networks, env })).toEqual({
      agent_id: "a",
      vm: { name: "vm-1" },
      mbus: "https://mbus:pw@127.0.30.1:6868",
      ntp: ["ntp.example"],
      blobstore: { provider: "local", options: { blobstore_path: "/b" } },
      networks,
      disks: { system: "", ephemeral: "", persistent: {}, raw_ephemeral: [] },
      env,
    });
  });

  it("gives the agent the VM's IP only where the mbus URL says 0.0.0.0", () => {
    expect(mbusForVm("https://mbus:p%40w@0.0.0.0:6868", "127.0.30.1")).toBe("https://mbus:p%40w@127.0.30.1:6868");
    expect(mbusForVm("https://0.0.0.0:6868/agent", "127.0.30.1")).toBe("https://127.0.30.1:6868/agent");
    expect(mbusForVm("https://mbus:0.0.0.0@127.0.30.9:6868", "127.0.30.1")).toBe("https://mbus:0.0.0.0@127.0.30.9:6868");
    expect(mbusForVm("https://mbus:pw@10.0.0.0:6868", "127.0.30.1")).toBe("https://mbus:pw@10.0.0.0:6868");
  });

  it("adds and removes persistent disks by cid", () => {
    const settings = buildAgentSettings({ agentId: "a", vmCid: "v", vmIp: "127.0.30.1", config, networks, env: {} });
    const attached = withPersistentDisk(settings, "disk-1", "/d/1");
    expect(attached.disks.persistent).toEqual({ "disk-1": { path: "/d/1" } });
    expect(withoutPersistentDisk(attached, "disk-1").disks.persistent).toEqual({});
  });

  it("takes the IP of the gateway's default network", () => {
    expect(defaultNetworkAddress(networks).ip).toBe("127.0.30.1");
    expect(
      defaultNetworkAddress({ a: { ip: "127.0.0.2", default: ["dns"] }, b: { ip: "127.0.0.3", default: ["gateway"] } }).ip,
    ).toBe("127.0.0.3");
    expect(() => defaultNetworkAddress({ default: { type: "dynamic" } })).toThrow("needs a static IP");
    expect(() => defaultNetworkAddress({})).toThrow("at least one network");
  });

  it("accepts loopback host addresses only", () => {
    expect(["127.0.0.1", "127.0.30.0", "127.255.0.9"].map(isLoopbackIpv4)).toEqual([true, true, true]);
    expect(["10.0.0.1", "127.0.0.0", "127.255.255.255", "127.1.1", "127.0.0.256"].map(isLoopbackIpv4)).toEqual([false, false, false, false, false]);
  });

  it("reads authorized keys from env.bosh.authorized_keys", () => {
    expect(authorizedKeysOf({ env: { bosh: { authorized_keys: ["ssh-ed25519 AAAA x\n", "", 3] } } })).toEqual(["ssh-ed25519 AAAA x\n"]);
    expect(authorizedKeysOf({ env: {} })).toEqual([]);
  });
});

describe("small helpers", () => {
  it("recognises only cids the local CPI makes", () => {
    expect(isLocalCid("vm-0b7c3a52-9d56-4a59-a1a5-6f3a6e6f1b11")).toBe(true);
    expect(isLocalCid("../../etc")).toBe(false);
    expect(isLocalCid("i-12345")).toBe(false);
  });

  it("parses /proc/<pid>/stat even when the command has spaces and parentheses", () => {
    const stat = "42 (node (x) y) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
    expect(parseStat(stat)).toEqual({ state: "S", startTime: "987654" });
  });

  it("computes OpenSSH's SHA256 fingerprint of a public key line", () => {
    // ssh-keygen -l prints this fingerprint for this key.
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEGf3+oOwc+/F7tIFS7blTkW0iukKROtcsBMzpJMfc35";
    expect(fingerprintOf(key)).toBe("SHA256:36DrKlOH7EeIzjflf5deaInmyBStyd07H5Q0/dAGEFQ");
  });
});

describe("VM host keys", () => {
  it("writes keys the VM's SSH server (ssh2) reads, with the published public key and fingerprint", () => {
    for (let i = 0; i < 100; i++) {
      const pair = newEd25519KeyPair();
      const parsed = ssh2.utils.parseKey(pair.private);
      if (parsed instanceof Error) throw parsed;
      expect(pair.private).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
      expect(parsed.type).toBe("ssh-ed25519");
      expect(`ssh-ed25519 ${parsed.getPublicSSH().toString("base64")}`).toBe(pair.public);
      expect(fingerprintOf(pair.public)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it("signs with the private key so that the published public key verifies it", () => {
    const pair = newEd25519KeyPair();
    const key = ssh2.utils.parseKey(pair.private);
    if (key instanceof Error) throw key;
    const data = Buffer.from("host key proof");
    expect(key.verify(data, key.sign(data))).toBe(true);
    const other = ssh2.utils.parseKey(newEd25519KeyPair().private);
    if (other instanceof Error) throw other;
    expect(other.verify(data, key.sign(data))).toBe(false);
  });
});
