/**
 * examples/manifests/local.yml needs nothing but -v director_name and a vars store, and
 * evaluates (through the real manifest loader) to what the local provider expects.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { loadBootstrapManifest } from "../../../src/manifest/index.js";
import { REPO_ROOT } from "../e2e-protocol/support/built-artifacts.js";

const MANIFEST = join(REPO_ROOT, "examples", "manifests", "local.yml");

describe("examples/manifests/local.yml", () => {
  it("evaluates with only director_name and a vars store, generating every credential", async () => {
    // given
    const varsStore = join(mkdtempSync(join(tmpdir(), "example-")), "creds.yml");
    // when
    const { manifest, generated } = await loadBootstrapManifest({
      manifestPath: MANIFEST,
      opsFiles: [],
      varFlags: { vars: { director_name: "example" }, varsStore },
      env: {},
      cwd: REPO_ROOT,
      generation: "write",
    });
    // then
    expect([...generated].sort()).toEqual(["default_ca", "director_ssl", "mbus_bootstrap_password", "mbus_bootstrap_ssl", "ssh_tunnel_key"]);
    const creds = yaml.load(readFileSync(varsStore, "utf8")) as Record<string, Record<string, string> & { public_key: string }>;
    expect(manifest.name).toBe("example");
    expect(manifest.address).toBe("10.253.10.10");
    expect(manifest.releases.map((r) => [r.name, r.url])).toEqual([
      ["bootstrap-director", `file://${REPO_ROOT}/artifacts/bootstrap-director-release.tgz`],
      ["bootstrap-local-cpi", `file://${REPO_ROOT}/artifacts/bootstrap-local-cpi-release.tgz`],
    ]);
    expect(manifest.stemcell.url).toBe(`file://${REPO_ROOT}/artifacts/bootstrap-local-stemcell.tgz`);
    expect(manifest.networks["default"]).toMatchObject({ type: "manual", ip: "10.253.10.10", gateway: "10.253.10.1", default: ["dns", "gateway"] });
    expect(manifest.diskPool).toMatchObject({ name: "disks", diskSize: 1024 });
    expect(manifest.resourcePool.env).toMatchObject({
      bosh: { mbus: { cert: { ca: creds["default_ca"]!["certificate"] } }, authorized_keys: [creds["ssh_tunnel_key"]!.public_key] },
    });
    expect(manifest.cloudProvider).toMatchObject({
      templates: [{ name: "local_cpi", release: "bootstrap-local-cpi" }],
      mbus: `https://mbus:${creds["mbus_bootstrap_password"]}@10.253.10.10:6868`,
      sshTunnel: { host: "10.253.10.10", port: 2222, user: "vcap", privateKey: creds["ssh_tunnel_key"]!["private_key"] },
      properties: {
        agent: { mbus: `https://mbus:${creds["mbus_bootstrap_password"]}@0.0.0.0:6868` },
        blobstore: { provider: "local", path: "/var/vcap/micro_bosh/data/cache" },
      },
    });
    expect(manifest.instanceGroup.jobs).toEqual([{ name: "director", release: "bootstrap-director", properties: null }]);
    expect(manifest.instanceGroup.properties).toMatchObject({
      director: { name: "example", port: 25555, ssl: { cert: creds["director_ssl"]!["certificate"], key: creds["director_ssl"]!["private_key"] } },
    });
  });
});
