/**
 * `bootstrap deploy` (the built CLI, as a process) with a compiled CPI release: the CPI is
 * installed from it without running a packaging script when it was compiled for this machine's
 * OS as /etc/os-release names it, and refused (or, with BOOTSTRAP_HOST_OS, taken anyway) when
 * not. The CPI is a stub that answers `info` and fails every other call, so each deploy ends at
 * the first stemcell upload, before any VM; no root, no network beyond nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readHostOs } from "../../src/cpi-runner/install/index.js";
import { buildRelease, buildStemcell } from "../director-release/release-fixtures.js";
import { runCli } from "../e2e/support/cli.js";

const CPI_SCRIPT = `#!${process.execPath}
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { method } = JSON.parse(input);
  const result = method === "info" ? { api_version: 2, stemcell_formats: ["stub-raw"] } : null;
  const error = method === "info" ? null : { type: "Bosh::Clouds::CloudError", message: "stub CPI stops at " + method, ok_to_retry: false };
  process.stdout.write(JSON.stringify({ result, error, log: "" }));
});
`;

const MANIFEST = `---
name: compiled-cpi
releases:
- name: stub-cpi
  url: file://stub-cpi-1.tgz
resource_pools:
- name: vms
  network: default
  stemcell:
    url: file://stemcell.tgz
  cloud_properties: {}
networks:
- name: default
  type: manual
  subnets:
  - range: 127.0.160.0/24
    gateway: 127.0.160.1
    static: [127.0.160.20]
    cloud_properties: {}
instance_groups:
- name: bosh
  instances: 1
  resource_pool: vms
  networks:
  - name: default
    static_ips: [127.0.160.20]
  jobs: []
cloud_provider:
  template: {name: stub_cpi, release: stub-cpi}
  mbus: https://mbus:mbus-password@127.0.160.20:6868
  properties: {}
`;

const RUN_TIMEOUT_MS = 180_000;

// Read before the tests are collected: skipIf needs it then.
const hostOs = (await readHostOs({})).name;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A deploy dir with the stub CPI release compiled for `stemcell` and the manifest beside it. */
async function deployDir(name: string, stemcell: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `compiled-cpi-${name}-`));
  dirs.push(dir);
  await buildRelease(dir, {
    name: "stub-cpi",
    version: "1",
    compiledFor: stemcell,
    jobs: [
      {
        name: "stub_cpi",
        spec: "---\nname: stub_cpi\ntemplates:\n  cpi.erb: bin/cpi\npackages: [stub-cpi]\n",
        templates: { "cpi.erb": '#!/bin/bash\nexec "$BOSH_PACKAGES_DIR/stub-cpi/bin/cpi" "$@"\n' },
      },
    ],
    // Were the package compiled rather than unpacked, its packaging script would fail the deploy.
    packages: [{ name: "stub-cpi", files: { "bin/cpi": { content: CPI_SCRIPT, mode: 0o755 }, packaging: "echo packaging ran >&2\nexit 1\n" } }],
  });
  await buildStemcell(dir, "---\nname: stub-stemcell\nversion: '1'\noperating_system: ubuntu-stub\nstemcell_formats: [stub-raw]\napi_version: 2\ncloud_properties: {}\nsha1: 0000000000000000000000000000000000000000\n");
  writeFileSync(join(dir, "manifest.yml"), MANIFEST);
  mkdirSync(join(dir, "home"));
  return dir;
}

async function deploy(dir: string, env: Record<string, string> = {}) {
  const result = await runCli(["deploy", join(dir, "manifest.yml"), "--json"], { home: join(dir, "home"), cwd: dir, env, timeoutMs: RUN_TIMEOUT_MS });
  const events = result.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { type: string; step?: string; outcome?: string; reason?: string; message?: string });
  return { ...result, events };
}

describe("a compiled CPI release in a deploy", () => {
  it.skipIf(hostOs === undefined)("made for this machine's OS (as /etc/os-release names it) is unpacked, not compiled", async () => {
    const dir = await deployDir("fits", `${hostOs ?? ""}/1.10`);
    const result = await deploy(dir);
    const step = result.events.find((e) => e.type === "step-finished" && e.step?.startsWith("Compiling package 'stub-cpi/"));
    expect(step).toMatchObject({ outcome: "skipped", reason: "Package already compiled" });
    // the installed CPI answered info and was then asked to upload the stemcell: the deploy's first change
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("stub CPI stops at create_stemcell");
    expect(result.stderr).not.toContain("packaging ran");
  }, RUN_TIMEOUT_MS + 30_000);

  it("made for another OS is refused with a hint, and installed as it is under BOOTSTRAP_HOST_OS", async () => {
    const dir = await deployDir("other", "ubuntu-nowhere/1.10");
    const refused = await deploy(dir);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("CPI_RELEASE_OS_MISMATCH");
    expect(refused.stderr).toContain("CPI release 'stub-cpi/1' is compiled for ubuntu-nowhere/1.10 and has no source packages, but this machine is");
    expect(refused.stderr).toContain("BOOTSTRAP_HOST_OS=ubuntu-nowhere");
    expect(refused.events.some((e) => e.step?.startsWith("Compiling package"))).toBe(false);

    const forced = await deploy(dir, { BOOTSTRAP_HOST_OS: "ubuntu-nowhere" });
    expect(forced.events.find((e) => e.type === "step-finished" && e.step?.startsWith("Compiling package 'stub-cpi/"))).toMatchObject({ reason: "Package already compiled" });
    expect(forced.stderr).toContain("stub CPI stops at create_stemcell");
  }, 2 * RUN_TIMEOUT_MS + 30_000);
});
