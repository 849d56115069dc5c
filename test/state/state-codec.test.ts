import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeState } from "../../src/state/decode-state.js";
import { encodeState } from "../../src/state/encode-state.js";
import { isBootstrapError } from "../../src/common/index.js";

const BOSH_KEYS = [
  "director_id",
  "installation_id",
  "current_vm_cid",
  "current_stemcell_id",
  "current_disk_id",
  "current_release_ids",
  "current_manifest_sha",
  "disks",
  "stemcells",
  "releases",
];

// As bosh-cli writes them: Go's MarshalIndent with 4 spaces, struct key order, sorted map keys.
const boshDeployed = JSON.stringify(
  {
    director_id: "5e8d0b6c-1d1e-4a43-6a3b-8f0d9d1c1f11",
    installation_id: "9a1c2b3d-0000-4a43-6a3b-8f0d9d1c1f22",
    current_vm_cid: "i-0abc",
    current_stemcell_id: "st-rec",
    current_disk_id: "disk-rec",
    current_release_ids: ["r1", "r2"],
    current_manifest_sha: "ab".repeat(64),
    disks: [
      { id: "disk-rec", cid: "vol-1", size: 65536, cloud_properties: { iops: 3000, type: "gp3" } },
      { id: "disk-old", cid: "vol-0", size: 32768, cloud_properties: {} },
    ],
    stemcells: [
      { id: "st-rec", name: "bosh-aws-xen-hvm-ubuntu-jammy-go_agent", version: "1.500", api_version: 3, cid: "ami-1" },
      { id: "st-old", name: "bosh-aws-xen-hvm-ubuntu-jammy-go_agent", version: "1.400", cid: "ami-0" },
    ],
    releases: [
      { id: "r1", name: "bosh", version: "280.1.0" },
      { id: "r2", name: "bosh-aws-cpi", version: "106" },
    ],
  },
  null,
  4,
);

const boshFresh = `{
    "director_id": "5e8d0b6c-1d1e-4a43-6a3b-8f0d9d1c1f11",
    "installation_id": "",
    "current_vm_cid": "",
    "current_stemcell_id": "",
    "current_disk_id": "",
    "current_release_ids": null,
    "current_manifest_sha": "",
    "disks": null,
    "stemcells": null,
    "releases": null
}`;

const meta = { serial: 7, lineage: "lin-1", updatedAt: "2026-01-01T00:00:00.000Z" };

function decode(text: string) {
  return decodeState(text, { path: "/d/bosh-state.json" });
}

function problemsOf(text: string): { code: string; details: readonly string[]; message: string } {
  try {
    decode(text);
  } catch (error) {
    if (isBootstrapError(error)) return { code: error.code, details: error.details, message: error.message };
    throw error;
  }
  throw new Error("decoded without error");
}

describe("bosh-cli state files", () => {
  it.each([
    ["deployed", boshDeployed],
    ["fresh", boshFresh],
  ])("a %s bosh-cli file loads and is written back with the same keys, order and values", (_name, text) => {
    const { stored, warnings } = decode(text);
    expect(warnings).toEqual([]);

    const written = encodeState(stored, meta);
    const original = JSON.parse(text) as Record<string, unknown>;
    const ours = JSON.parse(written) as Record<string, unknown>;
    expect(Object.keys(ours).slice(0, BOSH_KEYS.length)).toEqual(BOSH_KEYS);
    for (const key of BOSH_KEYS) expect(ours[key], key).toEqual(original[key]);
    // Byte-for-byte up to our trailing keys: same indentation and layout as bosh-cli.
    expect(written.startsWith(text.slice(0, -2))).toBe(true);
    expect(ours).toMatchObject({ schema_version: 1, serial: 7, lineage: "lin-1" });
  });

  it("a file the bosh-cli v7.9.13 binary wrote is written back byte for byte up to our trailing keys", () => {
    const text = readFileSync(new URL("fixtures/written-by-bosh-cli-7.9.13.json", import.meta.url), "utf8");
    const { stored, warnings } = decode(text);
    expect(warnings).toEqual([]);
    expect(encodeState(stored, meta).startsWith(`${text.slice(0, -2)},\n    "schema_version": 1,`)).toBe(true);
  });

  it("escapes <, > and & in strings as Go's encoder does", () => {
    const text = boshDeployed.replace('"type": "gp3"', '"type": "a\\u003cb\\u003e\\u0026c"');
    const { stored } = decode(text);
    expect(stored.state.disks[0]!.cloud_properties["type"]).toBe("a<b>&c");
    expect(encodeState(stored, meta).startsWith(text.slice(0, -2))).toBe(true);
  });

  it("omits api_version 0 and keeps never-set lists null while they stay empty", () => {
    const { stored } = decode(boshFresh);
    stored.state.stemcells.push({ id: "s", name: "n", version: "1", api_version: 0, cid: "c" });
    const ours = JSON.parse(encodeState(stored, meta)) as Record<string, unknown>;
    expect(ours.stemcells).toEqual([{ id: "s", name: "n", version: "1", cid: "c" }]);
    expect(ours.disks).toBeNull();
    expect(ours.current_release_ids).toBeNull();
  });

  it("sorts cloud_properties keys at every depth, as Go writes maps", () => {
    const { stored } = decode(boshDeployed);
    stored.state.disks[0]!.cloud_properties = { z: 1, a: { y: 2, b: 3 } };
    const written = encodeState(stored, meta);
    expect(written.indexOf('"a"')).toBeLessThan(written.indexOf('"z"'));
    expect(written.indexOf('"b"')).toBeLessThan(written.indexOf('"y"'));
  });

  it("loads our own file again unchanged", () => {
    const { stored } = decode(boshDeployed);
    stored.state.current_agent_id = "agent-1";
    stored.state.current_vm_ssh_host_key = "SHA256:abc";
    stored.state.jumpbox_ssh_host_keys = { "10.0.0.5:22": "SHA256:jump", "[fd00::5]:22": "SHA256:six" };
    stored.state.current_vm_inputs = { resource_pool: "a".repeat(64), networks: "b".repeat(64) };
    stored.state.current_vm_packages = [{ name: "ruby", version: "fp1", sha1: "c".repeat(40), blobstore_id: "blob-1", key: "ruby-0123" }];
    const again = decode(encodeState(stored, meta));
    expect(again.stored.state).toEqual(stored.state);
    expect(again.stored.meta).toEqual(meta);
  });

  it("keeps keys it does not know, with a warning", () => {
    const text = JSON.stringify({ ...JSON.parse(boshDeployed), current_vms: [{ id: "x" }] });
    const { stored, warnings } = decode(text);
    expect(warnings).toEqual([expect.stringContaining('unknown key "current_vms"')]);
    expect(JSON.parse(encodeState(stored, meta)).current_vms).toEqual([{ id: "x" }]);
  });

  it("accepts a stemcell record with an empty version, as bosh-cli writes after migrating bosh-init's file", () => {
    const text = boshDeployed.replace('"version": "1.400"', '"version": ""');
    expect(decode(text).stored.state.stemcells[1]!.version).toBe("");
  });

  it("accepts null cloud_properties (a Go nil map) as empty", () => {
    const text = boshDeployed.replace('"cloud_properties": {}', '"cloud_properties": null');
    expect(decode(text).stored.state.disks[1]!.cloud_properties).toEqual({});
  });
});

describe("validation", () => {
  const withChange = (change: (s: Record<string, any>) => void): string => {
    const state = JSON.parse(boshDeployed) as Record<string, any>;
    change(state);
    return JSON.stringify(state);
  };

  it.each([
    ["an empty file", "", "the file is empty"],
    ["a truncated file", boshDeployed.slice(0, 300), "not JSON"],
    ["a list at the top", "[]", "the top level is not a JSON object"],
    ["an empty disk cid", withChange((s) => (s.disks[0].cid = "")), "disks[0].cid: must not be empty"],
    ["a duplicate disk cid", withChange((s) => (s.disks[1].cid = "vol-1")), 'disks: cid "vol-1" appears more than once'],
    ["a duplicate stemcell cid", withChange((s) => (s.stemcells[1].cid = "ami-1")), 'stemcells: cid "ami-1" appears more than once'],
    ["a stemcell without a cid", withChange((s) => delete s.stemcells[0].cid), "stemcells[0].cid: expected a string, got nothing"],
    ["a numeric vm cid", withChange((s) => (s.current_vm_cid = 5)), "current_vm_cid: expected a string, got number 5"],
    ["disks as an object", withChange((s) => (s.disks = {})), "disks: expected a list or null, got an object"],
    ["a fractional disk size", withChange((s) => (s.disks[0].size = 1.5)), "disks[0].size: expected a whole number of MB"],
    ["an empty release id", withChange((s) => (s.current_release_ids = [""])), "current_release_ids[0]: must not be empty"],
    ["jumpbox host keys as a list", withChange((s) => (s.jumpbox_ssh_host_keys = ["SHA256:x"])), "jumpbox_ssh_host_keys: expected an object, got a list"],
    ["an empty jumpbox host key", withChange((s) => (s.jumpbox_ssh_host_keys = { "10.0.0.5:22": "" })), "jumpbox_ssh_host_keys.10.0.0.5:22: must not be empty"],
    ["VM inputs as a list", withChange((s) => (s.current_vm_inputs = ["x"])), "current_vm_inputs: expected an object, got a list"],
    ["a VM package without a blob", withChange((s) => (s.current_vm_packages = [{ name: "ruby", version: "1", sha1: "x", key: "k" }])), "current_vm_packages[0].blobstore_id: expected a string, got nothing"],
    ["VM packages as an object", withChange((s) => (s.current_vm_packages = {})), "current_vm_packages: expected a list, got an object"],
    ["an installation id that leaves its folder", withChange((s) => (s.installation_id = "../..")), 'installation_id: expected an id such as a UUID, got "../.."'],
  ])("refuses %s with STATE_INVALID naming the file", (_name, text, problem) => {
    const { code, details, message } = problemsOf(text);
    expect(code).toBe("STATE_INVALID");
    expect(message).toContain("/d/bosh-state.json");
    expect(details.join("\n")).toContain(problem);
  });

  it("lists every problem at once", () => {
    const text = withChange((s) => {
      s.disks[0].cid = "";
      s.releases[0].name = 7;
    });
    expect(problemsOf(text).details).toHaveLength(2);
  });

  it.each([[2], ["1"], [0]])("refuses schema_version %j with STATE_VERSION_UNSUPPORTED", (version) => {
    const text = withChange((s) => Object.assign(s, { schema_version: version, serial: 1, lineage: "l", updated_at: "t" }));
    expect(problemsOf(text).code).toBe("STATE_VERSION_UNSUPPORTED");
  });

  it("names the backup in the hint when there is one", () => {
    try {
      decodeState("{", { path: "/d/s.json", backupPath: "/d/s.json.backup" });
      expect.unreachable();
    } catch (error) {
      expect(isBootstrapError(error) && error.hint).toContain("cp /d/s.json.backup /d/s.json");
    }
  });

  it("returns a current id that names no record for the caller to refuse (decoding alone does not act on it)", () => {
    const decoded = decode(withChange((s) => ((s.current_disk_id = "nope"), (s.current_stemcell_id = "gone"))));
    expect(decoded.dangling).toEqual([
      { field: "current_stemcell_id", id: "gone", list: "stemcells", known: ["st-rec", "st-old"] },
      { field: "current_disk_id", id: "nope", list: "disks", known: ["disk-rec", "disk-old"] },
    ]);
    expect(decoded.warnings).toEqual([]);
    expect(decode(boshDeployed).dangling).toEqual([]);
  });

  it("only warns about current_release_ids naming no release: neither tool reads them", () => {
    const decoded = decode(withChange((s) => (s.current_release_ids = ["r1", "r9"])));
    expect(decoded.dangling).toEqual([]);
    expect(decoded.warnings).toEqual([expect.stringContaining('current_release_ids names "r9", which is in no release record')]);
  });
});
