/**
 * The example director release deployed the way a create-env deploys it, against the real
 * agent on a VM from the local CPI: both packages compiled on the VM (director-server against
 * director-uuid), the director job rendered with the project's renderer, applied, pre-start,
 * start, post-start; /info answers over TLS; its uuid survives replacing the VM because it lives
 * on the persistent disk. IPs 127.0.30.50-59.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveRenderedJobs, extractRelease, renderJobs, type ExtractedRelease } from "../../../src/director-release/index.js";
import { DIRECTOR_RELEASE_FILE } from "../../../src/local/build/artifacts.js";
import { waitFor } from "../../../src/local/vm/process-info.js";
import { manualNetwork } from "../cpi/support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "../cpi/support/run-cpi.js";
import { buildAndUnpack } from "./support/built-artifacts.js";
import { action, putBlob, type MbusTarget } from "./support/mbus.js";
import { certificatesFor, type TestCertificates } from "./support/openssl-certs.js";

const IP = "127.0.30.50";
const PASSWORD = "director-e2e";
let cpi: CpiRunner;
let stemcell: string;
let release: ExtractedRelease;
let mbusCerts: TestCertificates;
let directorCerts: TestCertificates;
let disk: string;
const vms: string[] = [];
const agent = (): MbusTarget => ({ host: IP, port: 6868, ca: mbusCerts.ca, user: "mbus", password: PASSWORD });

async function createVmWithDisk(agentId: string): Promise<string> {
  const env = { bosh: { mbus: { cert: { ca: mbusCerts.ca, certificate: mbusCerts.certificate, private_key: mbusCerts.privateKey } } } };
  const [vm] = (await cpi.ok("create_vm", [agentId, stemcell, {}, manualNetwork(IP), disk === undefined ? [] : [disk], env])) as [string];
  vms.push(vm);
  if (!(await waitFor(async () => (await action(agent(), "ping").catch(() => "")) === "pong", 30_000, 200))) {
    throw new Error("agent did not answer");
  }
  disk ??= (await cpi.ok("create_disk", [100, {}, vm])) as string;
  const hint = await cpi.ok("attach_disk", [vm, disk]);
  await action(agent(), "add_persistent_disk", [disk, hint]);
  await action(agent(), "mount_disk", [disk]);
  return vm;
}

/** Compile, render, apply, pre-start, start, post-start: what the deployer does. */
async function deployDirector(): Promise<void> {
  const compiled: Record<string, { name: string; version: string; sha1: string; blobstore_id: string }> = {};
  for (const name of ["director-uuid", "director-server"]) {
    const pkg = release.packages.find((p) => p.name === name);
    if (pkg === undefined) throw new Error(`no package ${name}`);
    expect(await putBlob(agent(), `source-${name}`, await readFile(pkg.archivePath))).toBe(201);
    const deps = Object.fromEntries(pkg.dependencies.map((d) => [d, compiled[d]]));
    const value = (await action(agent(), "compile_package", [`source-${name}`, pkg.sha1, name, pkg.fingerprint, deps])) as {
      result: { blobstore_id: string; sha1: string };
    };
    compiled[name] = { name, version: pkg.fingerprint, sha1: value.result.sha1, blobstore_id: value.result.blobstore_id };
  }
  const job = release.jobs.find((j) => j.name === "director");
  if (job === undefined) throw new Error("no director job");
  const networks = manualNetwork(IP);
  const rendered = await renderJobs(
    [{ job, release: { name: release.name, version: release.version }, properties: null }],
    {
      deployment: "example", index: 0, az: "unknown", address: IP, bootstrap: true, globalProperties: {},
      instanceGroupProperties: { director: { name: "example", ssl: { cert: directorCerts.certificate, key: directorCerts.privateKey } } },
    },
  );
  const archivePath = join(await mkdtemp(join(tmpdir(), "rendered-")), "rendered.tgz");
  const digest = await archiveRenderedJobs(rendered, archivePath);
  expect(await putBlob(agent(), "rendered-director", await readFile(archivePath))).toBe(201);
  await action(agent(), "apply", [
    {
      deployment: "example", name: "bosh", index: 0, id: "director-0", az: "unknown", networks,
      job: { name: "bosh", templates: [{ name: "director", version: job.fingerprint }] },
      packages: compiled,
      rendered_templates_archive: { blobstore_id: "rendered-director", sha1: `sha256:${digest.sha256}` },
      configuration_hash: digest.sha256,
      properties: {},
    },
  ]);
  await action(agent(), "run_script", ["pre-start", {}]);
  await action(agent(), "start");
  // As the deployer does: post-start runs once the instance is running, not as soon as start returns.
  expect(await waitUntilRunning()).toBe("running");
  await action(agent(), "run_script", ["post-start", {}]);
}

/** The job state once it is "running", or the last one seen; a process counts as running once it has stayed up a moment. */
async function waitUntilRunning(): Promise<string> {
  let state = "";
  for (let i = 0; i < 300 && state !== "running"; i++) {
    state = ((await action(agent(), "get_state")) as { job_state: string }).job_state;
    if (state !== "running") await new Promise((r) => setTimeout(r, 200));
  }
  return state;
}

function getInfo(): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: IP, port: 25555, path: "/info", ca: directorCerts.ca, agent: false }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  const artifacts = await buildAndUnpack();
  release = await extractRelease(join(artifacts.dir, DIRECTOR_RELEASE_FILE), await mkdtemp(join(tmpdir(), "director-release-")));
  mbusCerts = certificatesFor(IP);
  directorCerts = certificatesFor(IP);
  cpi = cpiRunner({ script: artifacts.cpiScript, mbus: `https://mbus:${PASSWORD}@0.0.0.0:6868` });
  stemcell = (await cpi.ok("create_stemcell", [artifacts.stemcellImage, {}])) as string;
}, 120_000);

afterAll(async () => {
  for (const vm of vms) await cpi.call("delete_vm", [vm]);
});

describe("the example director release", () => {
  it("compiles, starts and answers /info over TLS, keeping its uuid on the persistent disk across VM replacement", async () => {
    // given a deployed director
    await createVmWithDisk("director-agent-1");
    await deployDirector();
    // then
    const first = await getInfo();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      name: "example",
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      version: "0.1.0 (bootstrap example director)",
      user_authentication: { type: "basic", options: {} },
    });
    expect(readFileSync(join(cpi.baseDir, "disks", disk, "director", "uuid"), "utf8").trim()).toBe(first.body["uuid"]);
    expect(((await action(agent(), "get_state")) as { job_state: string }).job_state).toBe("running");

    // when the VM is replaced and the director deployed again
    await action(agent(), "stop");
    await action(agent(), "unmount_disk", [disk]);
    await cpi.ok("delete_vm", [vms[vms.length - 1]]);
    await createVmWithDisk("director-agent-2");
    await deployDirector();

    // then it still has the same uuid
    expect((await getInfo()).body["uuid"]).toBe(first.body["uuid"]);
  }, 180_000);
});
