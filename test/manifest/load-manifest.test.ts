import { createHash, generateKeyPairSync } from "node:crypto";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { dumpYaml, evaluateManifest, loadBootstrapManifest, type ManifestInput } from "../../src/manifest/index.js";
import { redact } from "../../src/common/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "load-manifest-"));
  await cp(join(__dirname, "fixtures"), dir, { recursive: true });
});

/**
 * The vars store the first test generated: tests about something else start from a copy of it,
 * as a redeploy does, instead of generating their own RSA keys (most of this file's time).
 * Run alone, such a test generates its store itself.
 */
let generatedStore: string | undefined;
async function withGeneratedStore(): Promise<void> {
  if (generatedStore !== undefined) await writeFile(join(dir, "creds.yml"), generatedStore, { mode: 0o600 });
}

const input = (over: Partial<ManifestInput> = {}): ManifestInput => ({
  manifestPath: "director.yml",
  opsFiles: ["cpi.yml", "jumpbox.yml"],
  varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml" },
  env: {},
  cwd: dir,
  generation: "write",
  ...over,
});

describe("loadBootstrapManifest", () => {
  it("applies ops, interpolates, generates and validates a bosh-deployment-shaped manifest", async () => {
    const loaded = await loadBootstrapManifest(input());
    const m = loaded.manifest;
    expect(m.name).toBe("test-director");
    expect(m.path).toBe(join(dir, "director.yml"));
    expect(m.releases.map((r) => r.url)).toEqual([`file://${dir}/releases/bosh.tgz`, "https://example.com/bpm.tgz", `file://${dir}/releases/test-cpi.tgz`]);
    expect(m.stemcell).toEqual({ url: "file:///srv/stemcells/test-stemcell.tgz" });
    expect(m.resourcePool.cloudProperties).toEqual({ cpus: 2, memory: 4096 });
    expect(m.address).toBe("127.0.10.6");
    expect(m.networks["default"]).toMatchObject({ type: "manual", ip: "127.0.10.6", netmask: "255.255.255.0", gateway: "127.0.10.1" });
    expect(m.instanceGroup.jobs.map((j) => j.name)).toEqual(["bpm", "director", "user_add"]);
    expect(m.instanceGroup.jobs[1]?.properties).toEqual({ director: { name: "test-director", port: 25555 } });
    expect(m.cloudProvider.templates).toEqual([{ name: "test_cpi", release: "test-cpi" }]);
    expect(m.cloudProvider.cert?.ca).toContain("BEGIN CERTIFICATE");
    expect(loaded.generated).toEqual(["nats_password", "mbus_password", "default_ca", "mbus_tls", "jumpbox_ssh"]);
    const users = (m.instanceGroup.jobs[2]?.properties as { users: { public_key: string }[] }).users;
    expect(users[0]?.public_key).toMatch(/^ssh-rsa /);

    // The SHA is over the interpolated YAML text, the same text interpolate prints.
    const again = await evaluateManifest(input(), { expectAllKeys: true, expectAllVarsUsed: false });
    expect(loaded.sha512).toBe(createHash("sha512").update(again.yaml).digest("hex"));
    expect(again.generated).toEqual([]);

    // Store values are registered secrets; plain -l values such as addresses are not.
    const password = new URL(m.cloudProvider.mbus).password;
    expect(redact(`mbus is ${password}`)).toBe("mbus is <redacted>");
    expect(redact(`VM address ${m.address}`)).toBe(`VM address ${m.address}`);
    generatedStore = await readFile(join(dir, "creds.yml"), "utf8");
  });

  it("redacts -v values whose names say they are secret, and only those", async () => {
    await withGeneratedStore();
    const loaded = await loadBootstrapManifest(input({ varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml", vars: { extra_secret_access_key: "AKIAsecretvalue99" } } }));
    expect(redact("key AKIAsecretvalue99")).toBe("key <redacted>");
    expect(redact(`name ${loaded.manifest.name}`)).toBe(`name ${loaded.manifest.name}`);
  });

  it("lists every missing variable at once, with a hint", async () => {
    const run = loadBootstrapManifest(input({ varFlags: { varsStore: "creds.yml" } }));
    await expect(run).rejects.toMatchObject({
      code: "VARIABLES_MISSING",
      message: expect.stringMatching(/^Expected to find variables: director_name, director_port, internal_cidr, internal_gw, internal_ip, vm_memory \(manifest director.yml\)$/),
    });
  });

  it("names file, line and column for broken YAML, and the op for a bad ops file", async () => {
    await writeFile(join(dir, "broken.yml"), "name: x\nreleases: [\n  - a: b\n");
    await expect(loadBootstrapManifest(input({ manifestPath: "broken.yml" }))).rejects.toMatchObject({
      code: "YAML_INVALID",
      message: expect.stringMatching(/^broken\.yml:\d+:\d+: invalid YAML/),
    });
    await writeFile(join(dir, "bad-ops.yml"), "- type: replace\n  path: /instance_groups/name=nope/jobs/-\n  value: {}\n");
    await expect(loadBootstrapManifest(input({ opsFiles: ["bad-ops.yml"] }))).rejects.toMatchObject({
      code: "OPS_INVALID",
      message: "Ops file 'bad-ops.yml' operation [0] (replace '/instance_groups/name=nope/jobs/-'): Expected to find exactly one matching array item for path '/instance_groups/name=nope' but found 0",
    });
    await expect(loadBootstrapManifest(input({ opsFiles: ["missing.yml"] }))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
  });

  it("dry-run reports what would be generated and writes no vars store", async () => {
    const loaded = await loadBootstrapManifest(input({ generation: "dry-run", varFlags: { varsFiles: ["vars.yml"], varsStore: "fresh.yml" } }));
    expect(loaded.generated).toContain("default_ca");
    await expect(import("node:fs/promises").then((fs) => fs.stat(join(dir, "fresh.yml")))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reads ssh_tunnel.private_key from a path relative to the manifest", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    await writeFile(join(dir, "tunnel.key"), pem);
    await withGeneratedStore();
    await writeFile(
      join(dir, "tunnel.yml"),
      dumpYaml([{ type: "replace", path: "/cloud_provider/ssh_tunnel?", value: { host: "((internal_ip))", port: 22, user: "vcap", private_key: "tunnel.key" } }]),
    );
    const loaded = await loadBootstrapManifest(input({ opsFiles: ["cpi.yml", "tunnel.yml"] }));
    expect(loaded.manifest.cloudProvider.sshTunnel).toEqual({ host: "127.0.10.6", port: 22, user: "vcap", privateKey: pem });
  });
});
