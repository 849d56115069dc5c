/**
 * Validate before acting: inputs bosh-cli 7.9.13 accepts far enough to act on them — a vars
 * store whose certificate is not PEM (it creates the VM), a stemcell declaring api_version 1 (it
 * installs the CPI and calls it first), a state file whose current_disk_id names no record (it
 * creates a VM and a new disk) — stop `bootstrap deploy` and `bootstrap plan` before the CPI is
 * installed or called, with the same code both ways, and change nothing on disk.
 *
 * Proof that no CPI call happened: the run's events (every CPI call is a `cpi-call` event, and
 * installing it is the "installing CPI" stage) — and no child process: this file starts none,
 * and the CPI is a process. The same files with valid inputs plan a deploy, so each refusal is
 * the input's doing.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runDeploy, runPlan, type BootstrapEvent, type Runtime } from "../../src/bootstrap/index.js";
import { BootstrapError, silentLogger } from "../../src/common/index.js";
import { dumpYaml, loadBootstrapManifest, parseYaml } from "../../src/manifest/index.js";
import { buildRelease, buildStemcell } from "../director-release/release-fixtures.js";

const MANIFEST = `---
name: validate
releases:
- name: fake-cpi
  url: file://fake-cpi-1.tgz
resource_pools:
- name: vms
  network: default
  stemcell: {url: file://((stemcell))}
  env: {bosh: {mbus: {cert: ((mbus_tls))}}}
disk_pools:
- {name: disks, disk_size: 1024}
networks:
- name: default
  type: manual
  subnets: [{range: 127.0.90.0/24, gateway: 127.0.90.1, static: [127.0.90.6]}]
instance_groups:
- name: v
  instances: 1
  resource_pool: vms
  persistent_disk_pool: disks
  networks: [{name: default, static_ips: [127.0.90.6]}]
  jobs: []
cloud_provider:
  template: {name: fake_cpi, release: fake-cpi}
  mbus: https://mbus:((mbus_password))@127.0.90.6:6868
  cert: ((mbus_tls))
variables:
- {name: mbus_password, type: password}
- {name: default_ca, type: certificate, options: {is_ca: true, common_name: ca, key_length: 2048}}
- {name: mbus_tls, type: certificate, options: {ca: default_ca, common_name: 127.0.90.6, alternative_names: [127.0.90.6], key_length: 2048}}
`;

const STEMCELL = (api: string): string => `name: s\nversion: '1'\noperating_system: x\nstemcell_formats: [local-tgz]\n${api}\n`;

let root: string;
let goodCreds: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "validate-before-acting-"));
  await buildRelease(root, {
    name: "fake-cpi",
    version: "1",
    jobs: [{ name: "fake_cpi", spec: "---\nname: fake_cpi\ntemplates: {cpi.erb: bin/cpi}\npackages: []\nproperties: {}\n", templates: { "cpi.erb": "#!/bin/sh\nexit 1\n" } }],
    packages: [],
  });
  await buildStemcell(join(root, "v3"), STEMCELL("api_version: 3"));
  await buildStemcell(join(root, "v1"), STEMCELL("api_version: 1"));
  await writeFile(join(root, "manifest.yml"), MANIFEST);
  // The vars store as a first run generates it; with it the plan is a full deploy.
  const opts = options("v3/stemcell.tgz", "creds.yml");
  await loadBootstrapManifest({ ...opts, env: {}, cwd: root, generation: "write" });
  goodCreds = await readFile(join(root, "creds.yml"), "utf8");
  const planned = await runPlan({ ...opts, ...deployFlags }, runtime().rt);
  expect(planned.plan.steps.map((s) => s.kind)).toEqual(expect.arrayContaining(["upload-stemcell", "create-vm", "create-disk"]));
});

function runtime(): { rt: Runtime; events: BootstrapEvent[] } {
  const events: BootstrapEvent[] = [];
  const rt: Runtime = {
    events: { emit: (e) => events.push(e) },
    logger: silentLogger,
    signal: new AbortController().signal,
    env: { HOME: join(root, "home"), BOOTSTRAP_HOME: join(root, "home", ".bootstrap") },
    cwd: root,
  };
  return { rt, events };
}

function options(stemcell: string, varsStore: string, statePath = join(root, "state.json")) {
  return { manifestPath: "manifest.yml", statePath, opsFiles: [], varFlags: { varsStore, vars: { stemcell: join(root, stemcell) } } };
}

const deployFlags = { recreate: false, recreatePersistentDisks: false, skipDrain: false, agentTimeoutMs: 1_000 };

/** Runs deploy and plan with the same inputs: both refuse with `code`, neither installs or calls the CPI. */
async function bothRefuse(opts: ReturnType<typeof options>, code: string): Promise<BootstrapError> {
  const errors: BootstrapError[] = [];
  for (const run of [(rt: Runtime) => runDeploy({ ...opts, ...deployFlags }, rt), (rt: Runtime) => runPlan({ ...opts, ...deployFlags }, rt)]) {
    const { rt, events } = runtime();
    const error = await run(rt).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BootstrapError);
    expect((error as BootstrapError).code).toBe(code);
    expect(events.filter((e) => e.type === "cpi-call")).toEqual([]);
    expect(events.filter((e) => e.type === "stage-started").map((e) => (e as { stage: string }).stage)).not.toContain("installing CPI");
    errors.push(error as BootstrapError);
  }
  expect(errors[1]?.message).toBe(errors[0]?.message);
  const made = await readdir(join(root, "home", ".bootstrap")).catch(() => []);
  expect(made).not.toContain("installations");
  return errors[0] as BootstrapError;
}

describe("validate before acting", () => {
  it("a vars store whose mbus certificate is not PEM: CERTIFICATE_INVALID naming the store and the field", async () => {
    const creds = parseYaml(goodCreds, "creds.yml") as Record<string, Record<string, string>>;
    creds["mbus_tls"]!["certificate"] = "-----BEGIN CERTIFICATE-----\nMIIBnot-base64!!\n-----END CERTIFICATE-----\n";
    const text = dumpYaml(creds);
    await writeFile(join(root, "bad-creds.yml"), text);
    const error = await bothRefuse(options("v3/stemcell.tgz", "bad-creds.yml"), "CERTIFICATE_INVALID");
    expect(error.message).toMatch(/^Invalid certificate or key at bad-creds\.yml: mbus_tls\.certificate: /);
    expect(await readFile(join(root, "bad-creds.yml"), "utf8")).toBe(text);
  });

  it("a vars store whose mbus key is another key: CERTIFICATE_INVALID (the agent could not serve TLS)", async () => {
    const creds = parseYaml(goodCreds, "creds.yml") as Record<string, Record<string, string>>;
    creds["mbus_tls"]!["private_key"] = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    await writeFile(join(root, "other-key-creds.yml"), dumpYaml(creds));
    const error = await bothRefuse(options("v3/stemcell.tgz", "other-key-creds.yml"), "CERTIFICATE_INVALID");
    expect(error.message).toContain("other-key-creds.yml: mbus_tls: certificate and private_key are not a pair");
  });

  it("a stemcell declaring api_version 1: STEMCELL_UNSUPPORTED before the CPI is installed", async () => {
    const error = await bothRefuse(options("v1/stemcell.tgz", "creds.yml"), "STEMCELL_UNSUPPORTED");
    expect(error.message).toContain("declares api_version 1");
  });

  it("a state file whose current_disk_id names no record: STATE_INVALID, the file untouched", async () => {
    const statePath = join(root, "dangling-state.json");
    const text = JSON.stringify({
      director_id: "d-1",
      installation_id: "i-1",
      current_vm_cid: "vm-1",
      current_stemcell_id: "",
      current_disk_id: "disk-typo",
      current_release_ids: null,
      current_manifest_sha: "ab".repeat(64),
      disks: [{ id: "disk-rec", cid: "vol-data", size: 1024, cloud_properties: {} }],
      stemcells: null,
      releases: null,
    });
    await writeFile(statePath, text);
    const error = await bothRefuse(options("v3/stemcell.tgz", "creds.yml", statePath), "STATE_INVALID");
    expect(error.message).toBe(`State file ${statePath}: current_disk_id "disk-typo" names no record in disks (ids: "disk-rec")`);
    expect(await readFile(statePath, "utf8")).toBe(text);
  });
});

/**
 * A first deploy does not wait for keys only job properties use (late-variables.ts): with the
 * vars store's lock held by another live run, and every value but the director's certificate
 * in the store, the deploy still validates and goes on to install the CPI; a deploy that
 * waited for that certificate would wait for the lock instead. The run is then interrupted.
 */
describe("a first deploy's late variables", () => {
  const LATE = `${MANIFEST}- {name: director_tls, type: certificate, options: {ca: default_ca, common_name: director, key_length: 2048}}
properties:
  director: {cert: ((director_tls.certificate))}
`;

  it("do not hold up validation and the CPI's installation", async () => {
    // given
    await writeFile(join(root, "late.yml"), LATE);
    await writeFile(join(root, "late-creds.yml"), goodCreds);
    const other = { pid: process.ppid, host: hostname(), command: "another run", started_at: new Date().toISOString(), id: "other" };
    await writeFile(join(root, "late-creds.yml.lock"), JSON.stringify(other));
    const controller = new AbortController();
    const { rt, events } = runtime();
    const stages: string[] = [];
    const run: Runtime = {
      ...rt,
      // A home of its own: the CPI's installation begins here, and the other tests check that none did.
      env: { HOME: join(root, "late-home"), BOOTSTRAP_HOME: join(root, "late-home", ".bootstrap") },
      signal: controller.signal,
      events: {
        emit: (e) => {
          events.push(e);
          if (e.type !== "stage-started") return;
          stages.push(e.stage);
          if (e.stage === "installing CPI") controller.abort(new Error("interrupted by the test"));
        },
      },
    };
    // when
    const opts = { ...options("v3/stemcell.tgz", "late-creds.yml", join(root, "late-state.json")), manifestPath: "late.yml" };
    await runDeploy({ ...opts, ...deployFlags }, run).catch(() => undefined);
    // then
    expect(stages).toEqual(expect.arrayContaining(["validating", "installing CPI"]));
    expect(await readFile(join(root, "late-creds.yml"), "utf8")).toBe(goodCreds);
    expect(JSON.parse(await readFile(join(root, "late-creds.yml.lock"), "utf8"))).toEqual(other);
  });

  it("a late definition that cannot be generated is refused before acting", async () => {
    await writeFile(join(root, "bad-late.yml"), LATE.replace("common_name: director, key_length: 2048", "common_name: director, key_length: 1000"));
    await writeFile(join(root, "bad-late-creds.yml"), goodCreds);
    const opts = { ...options("v3/stemcell.tgz", "bad-late-creds.yml", join(root, "bad-late-state.json")), manifestPath: "bad-late.yml" };
    const error = await bothRefuse(opts, "VARIABLE_INVALID");
    expect(error.message).toBe("Generating variable 'director_tls': Invalid key_length: 1000.  Must be one of: [2048 3072 4096]");
  });
});
