import { createHash, generateKeyPairSync } from "node:crypto";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { dumpYaml, evaluateManifest, loadBootstrapManifest, parseYaml, type ManifestInput } from "../../src/manifest/index.js";
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
    await withGeneratedStore();
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

/**
 * A first deploy's late variables (late-variables.ts): the example manifest's director
 * certificate is generated behind the load, which validates everything else first.
 */
describe("loadBootstrapManifest with deferLate", () => {
  // When keys are made is the point here, not their size: 2048-bit certificates (instead of the
  // default 3072) make each load a third of the CPU.
  const smallKeys = ["default_ca", "mbus_bootstrap_ssl", "director_ssl"].map((name) => ({ type: "replace", path: `/variables/name=${name}/options/key_length?`, value: 2048 }));
  const example = async (ops: object[] = []): Promise<ManifestInput> => {
    const text = await readFile(join(__dirname, "../../examples/manifests/local.yml"), "utf8");
    await writeFile(join(dir, "local.yml"), text);
    await writeFile(join(dir, "late-ops.yml"), dumpYaml([...smallKeys, ...ops]));
    return { manifestPath: "local.yml", opsFiles: ["late-ops.yml"], varFlags: { vars: { director_name: "late" }, varsStore: "late-creds.yml" }, env: {}, cwd: dir, generation: "write", deferLate: true };
  };

  it("holds job properties' references as written and makes no late key until asked, then is the manifest a load without deferring gives", async () => {
    // given / when
    const loaded = await loadBootstrapManifest(await example());
    // then: everything the CPI and the VM take is there, the director's certificate is not yet
    expect(loaded.late?.names).toEqual(["director_ssl"]);
    expect(loaded.generated).not.toContain("director_ssl");
    expect(loaded.manifest.cloudProvider.cert?.ca).toContain("BEGIN CERTIFICATE");
    expect(loaded.manifest.instanceGroup.properties).toMatchObject({ director: { ssl: { cert: "((director_ssl.certificate))" } } });
    expect(loaded.late?.complete.begun).toBeUndefined();
    expect(await readFile(join(dir, "late-creds.yml"), "utf8")).not.toContain("director_ssl:");

    const complete = await loaded.late?.complete.get();
    expect(loaded.late?.complete.get()).toBe(loaded.late?.complete.begun);
    expect(complete?.late).toBeUndefined();
    expect(complete?.generated).toContain("director_ssl");
    expect(complete?.manifest.instanceGroup.properties).toMatchObject({ director: { ssl: { cert: expect.stringContaining("BEGIN CERTIFICATE") } } });
    expect(await readFile(join(dir, "late-creds.yml"), "utf8")).toContain("director_ssl:");
    // The same vars store, loaded whole: nothing generated, the same manifest and SHA.
    const again = await loadBootstrapManifest({ ...(await example()), deferLate: false });
    expect(again.generated).toEqual([]);
    expect(again.sha512).toBe(complete?.sha512);
    expect(again.manifest).toEqual(complete?.manifest);
  });

  it("Ctrl-C while the late key is made: the vars store stays valid and unlocked, and the next run generates the rest", async () => {
    // given
    const controller = new AbortController();
    const loaded = await loadBootstrapManifest({ ...(await example()), signal: controller.signal });
    // when
    const completing = loaded.late?.complete.get();
    controller.abort(new Error("interrupted"));
    await completing?.catch(() => undefined);
    // then: what was generated is kept, whole; a value is in the store only once complete
    const store = parseYaml(await readFile(join(dir, "late-creds.yml"), "utf8"), "late-creds.yml") as Record<string, unknown>;
    expect(Object.keys(store)).toEqual(expect.arrayContaining(["default_ca", "mbus_bootstrap_ssl", "ssh_tunnel_key", "mbus_bootstrap_password"]));
    if ("director_ssl" in store) expect(store["director_ssl"]).toMatchObject({ certificate: expect.stringContaining("BEGIN CERTIFICATE"), private_key: expect.any(String) });
    expect(existsSync(join(dir, "late-creds.yml.lock"))).toBe(false);
    const next = await loadBootstrapManifest({ ...(await example()), deferLate: false });
    expect(next.manifest.instanceGroup.properties).toMatchObject({ director: { ssl: { cert: expect.stringContaining("BEGIN CERTIFICATE") } } });
  });

  it("refuses a late definition that cannot be generated before anything waits on it", async () => {
    const ops = [{ type: "replace", path: "/variables/name=director_ssl/options/key_length?", value: 1000 }];
    await expect(loadBootstrapManifest(await example(ops))).rejects.toMatchObject({
      code: "VARIABLE_INVALID",
      message: "Generating variable 'director_ssl': Invalid key_length: 1000.  Must be one of: [2048 3072 4096]",
    });
  });
});
