import { describe, expect, it } from "vitest";
import { validateManifest } from "../../src/manifest/index.js";
import { BootstrapError } from "../../src/common/index.js";

const base = () => ({
  name: "bosh",
  releases: [
    { name: "bosh", url: "file://rel/bosh.tgz" },
    { name: "cpi", url: "https://example.com/cpi.tgz", sha1: "abc" },
  ],
  resource_pools: [{ name: "vms", network: "default", stemcell: { url: "file:///abs/stemcell.tgz" }, cloud_properties: { cpus: 2 }, env: { bosh: { password: "*" } } }],
  disk_pools: [{ name: "disks", disk_size: 1024, cloud_properties: { type: "ssd" } }],
  networks: [
    { name: "default", type: "manual", subnets: [{ range: "10.0.0.0/24", gateway: "10.0.0.1", dns: ["8.8.8.8"], cloud_properties: { subnet: "s-1" } }] },
    { name: "public", type: "vip" },
  ],
  instance_groups: [
    {
      name: "bosh",
      instances: 1,
      resource_pool: "vms",
      persistent_disk_pool: "disks",
      networks: [{ name: "default", static_ips: ["10.0.0.6"], default: ["dns", "gateway"] }, { name: "public", static_ips: ["1.2.3.4"] }],
      jobs: [{ name: "director", release: "bosh", properties: { port: 25555 } }, { name: "bpm", release: "bosh" }],
      properties: { x: 1 },
    },
  ],
  properties: { global: true },
  update: { update_watch_time: "1000-60000" },
  tags: { team: "infra", n: 1 },
  cloud_provider: { template: { name: "cpi", release: "cpi" }, mbus: "https://mbus:pw@10.0.0.6:6868", properties: { a: 1 } },
});

// Cases mutate the manifest freely, like untyped parser output.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

async function problems(mutate: (d: Doc) => void): Promise<string[]> {
  const doc = base() as Doc;
  mutate(doc);
  try {
    await validateManifest(doc, "/work/m/bosh.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(BootstrapError);
    expect((error as BootstrapError).code).toBe("MANIFEST_INVALID");
    expect((error as BootstrapError).message).toContain("/work/m/bosh.yml");
    return [...(error as BootstrapError).details];
  }
  return [];
}

describe("validateManifest", () => {
  it("builds the typed manifest the way bosh-cli builds create_vm's networks", async () => {
    const m = await validateManifest(base(), "/work/m/bosh.yml");
    expect(m.path).toBe("/work/m/bosh.yml");
    expect(m.dir).toBe("/work/m");
    expect(m.releases[0]).toEqual({ name: "bosh", url: "file:///work/m/rel/bosh.tgz" });
    expect(m.stemcell).toEqual({ url: "file:///abs/stemcell.tgz" });
    expect(m.networks).toEqual({
      default: { type: "manual", ip: "10.0.0.6", netmask: "255.255.255.0", gateway: "10.0.0.1", dns: ["8.8.8.8"], cloud_properties: { subnet: "s-1" }, default: ["dns", "gateway"] },
      public: { type: "vip", ip: "1.2.3.4", cloud_properties: {} },
    });
    expect(m.address).toBe("10.0.0.6");
    expect(m.diskPool).toEqual({ name: "disks", diskSize: 1024, cloudProperties: { type: "ssd" } });
    expect(m.resourcePool).toEqual({ name: "vms", cloudProperties: { cpus: 2 }, env: { bosh: { password: "*" } } });
    expect(m.instanceGroup.jobs).toEqual([
      { name: "director", release: "bosh", properties: { port: 25555 } },
      { name: "bpm", release: "bosh", properties: null },
    ]);
    expect(m.update).toEqual({ watchTimeStartMs: 1000, watchTimeEndMs: 60000 });
    expect(m.tags).toEqual({ team: "infra", n: "1" });
    expect(m.cloudProvider.templates).toEqual([{ name: "cpi", release: "cpi" }]);
  });

  it("accepts legacy jobs:/templates:, persistent_disk, and forces the only network to be default", async () => {
    const doc = base() as Doc;
    const group = doc.instance_groups[0];
    doc.jobs = [{ ...group, templates: group.jobs, jobs: undefined, persistent_disk_pool: undefined, persistent_disk: 2048, networks: [{ name: "default", static_ips: ["10.0.0.7"] }] }];
    delete doc.instance_groups;
    delete doc.update;
    const m = await validateManifest(doc, "/work/m/bosh.yml");
    expect(m.instanceGroup.jobs.map((j) => j.name)).toEqual(["director", "bpm"]);
    expect(m.diskPool).toEqual({ name: "", diskSize: 2048, cloudProperties: {} });
    expect(m.networks["default"]?.default).toEqual(["dns", "gateway"]);
    expect(m.update).toEqual({ watchTimeStartMs: 0, watchTimeEndMs: 300000 });
  });

  const cases: { name: string; mutate: (d: Doc) => void; expected: string[] }[] = [
    { name: "missing name", mutate: (d) => delete d.name, expected: ["name: must be provided"] },
    { name: "no releases", mutate: (d) => (d.releases = []), expected: ["releases: must contain at least 1 release"] },
    {
      name: "release problems",
      mutate: (d) => d.releases.push({ name: "bosh", url: "/no/scheme.tgz" }, { name: "x", url: "http://e/x.tgz" }, { url: "file://a" }),
      expected: [
        "releases[2].name: 'bosh' must be unique",
        "releases[2].url: must be a valid URL (file:// or http(s)://)",
        "releases[3].sha1: must be provided for http URL",
        "releases[4].name: must be provided",
      ],
    },
    { name: "network type", mutate: (d) => (d.networks[1].type = "bridge"), expected: ["networks[1].type: must be 'manual', 'dynamic', or 'vip'"] },
    {
      name: "manual subnet rules",
      mutate: (d) => (d.networks[0].subnets = [{ range: "10.0.0.0/24", gateway: "10.0.0.255" }, { range: "x" }]),
      expected: ["networks[0].subnets: must be of size 1", "networks[0].subnets[0].gateway: can't be the broadcast address"],
    },
    { name: "gateway outside range", mutate: (d) => (d.networks[0].subnets[0].gateway = "10.1.0.1"), expected: ["networks[0].subnets[0].gateway: must be within the range 10.0.0.0/24"] },
    { name: "bad CIDR", mutate: (d) => (d.networks[0].subnets[0].range = "10.0.0.0/33"), expected: ["networks[0].subnets[0].range: must be a valid CIDR, got '10.0.0.0/33'"] },
    {
      name: "undefined network and static IP outside the subnet",
      mutate: (d) => {
        d.instance_groups[0].networks[0].static_ips = ["10.9.9.9"];
        d.instance_groups[0].networks[1].name = "foo";
      },
      expected: [
        "instance_groups[0].networks[0].static_ips[0]: IP '10.9.9.9' is not within the range of network 'default'",
        "instance_groups[0].networks[1].name: network 'foo' is not defined in networks",
      ],
    },
    {
      name: "two networks need exactly one default for dns and gateway",
      mutate: (d) => (d.instance_groups[0].networks[1].default = ["gateway"]),
      expected: ["instance_groups[0].networks: exactly one network must be the default for gateway (found 2)"],
    },
    { name: "both jobs and instance_groups", mutate: (d) => (d.jobs = d.instance_groups), expected: ["Deployment specifies both jobs and instance_groups keys, only one is allowed"] },
    { name: "two instance groups", mutate: (d) => d.instance_groups.push(d.instance_groups[0]), expected: ["instance_groups: must be of size 1 (bootstrap deploys exactly one instance group, found 2)"] },
    { name: "two instances", mutate: (d) => (d.instance_groups[0].instances = 2), expected: ["instance_groups[0].instances: Job 'bosh' must have only one instance, found 2"] },
    {
      name: "jobs and templates, unknown release, duplicate job",
      mutate: (d) => {
        d.instance_groups[0].templates = [];
        d.instance_groups[0].jobs.push({ name: "director", release: "nope" });
      },
      expected: [
        "instance_groups[0]: specifies both templates and jobs keys, only one is allowed",
        "instance_groups[0].jobs[2].name: 'director' must be unique",
        "instance_groups[0].jobs[2].release: 'nope' must refer to a release in releases",
      ],
    },
    {
      name: "resource and disk pools",
      mutate: (d) => {
        d.instance_groups[0].resource_pool = "big";
        d.instance_groups[0].persistent_disk_pool = "huge";
        d.disk_pools[0].disk_size = 0;
        d.resource_pools[0].network = "nope";
        delete d.resource_pools[0].stemcell;
      },
      expected: [
        "resource_pools[0].network: must be the name of a network",
        "resource_pools[0].stemcell.url: must be provided",
        "instance_groups[0].resource_pool: resource pool 'big' is not defined in resource_pools",
        "disk_pools[0].disk_size: must be > 0",
        "instance_groups[0].persistent_disk_pool: disk pool 'huge' is not defined in disk_pools",
      ],
    },
    {
      name: "cloud_provider rules",
      mutate: (d) => {
        d.cloud_provider = { template: { name: "cpi", release: "other" }, mbus: "http://x", cert: { ca: "not pem" } };
      },
      expected: [
        "cloud_provider.template.release: 'other' must refer to a release in releases",
        "cloud_provider.mbus: must be an https URL with credentials, like https://mbus:PASSWORD@10.0.0.6:6868",
        "cloud_provider.cert.ca: Invalid CA cert: must be a PEM certificate",
      ],
    },
    {
      name: "no CPI template",
      mutate: (d) => delete d.cloud_provider.template,
      expected: ["cloud_provider: either cloud_provider.templates or cloud_provider.template must be provided and must contain at least one release"],
    },
    {
      name: "watch time and tags",
      mutate: (d) => {
        d.update.update_watch_time = "soon";
        d.tags = { a: { b: 1 } };
      },
      expected: ["update.update_watch_time: must be a range of milliseconds like '0-300000', got 'soon'", "tags.a: must be a string"],
    },
  ];
  for (const c of cases) {
    it(`reports all problems with their paths: ${c.name}`, async () => {
      const found = await problems(c.mutate);
      for (const e of c.expected) expect(found).toContain(e);
    });
  }
});
