/**
 * The CPI release's job renders with the project's ERB renderer from the example manifest's
 * cloud_provider.properties, and the rendered bin/cpi + config/cpi.json run the CPI.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { extractRelease, renderJobs, type RenderedJob } from "../../../src/director-release/index.js";
import { CPI_RELEASE_FILE } from "../../../src/local/build/artifacts.js";
import { buildAndUnpack, type UnpackedArtifacts } from "./support/built-artifacts.js";

let artifacts: UnpackedArtifacts;

async function renderCpiJob(properties: Record<string, unknown>): Promise<RenderedJob> {
  const release = await extractRelease(join(artifacts.dir, CPI_RELEASE_FILE), mkdtempSync(join(tmpdir(), "cpi-release-")));
  const job = release.jobs.find((j) => j.name === "local_cpi");
  if (job === undefined) throw new Error("no local_cpi job");
  const [rendered] = await renderJobs([{ job, release: { name: release.name, version: release.version }, properties: null }], {
    deployment: "example",
    index: 0,
    az: "unknown",
    bootstrap: true,
    globalProperties: {},
    instanceGroupProperties: properties,
  });
  if (rendered === undefined) throw new Error("nothing rendered");
  return rendered;
}

function file(job: RenderedJob, path: string): string {
  const found = job.files.find((f) => f.path === path);
  if (found === undefined) throw new Error(`${path} not rendered`);
  return found.content.toString();
}

beforeAll(async () => {
  artifacts = await buildAndUnpack();
}, 120_000);

describe("the local_cpi job", () => {
  it("renders config/cpi.json from cloud_provider.properties, with defaults for the rest", async () => {
    const job = await renderCpiJob({
      agent: { mbus: "https://mbus:pw@0.0.0.0:6868" },
      blobstore: { provider: "local", path: "/var/vcap/micro_bosh/data/cache" },
      local: { base_dir: "/tmp/somewhere" },
    });
    expect(JSON.parse(file(job, "config/cpi.json"))).toEqual({
      agent: { mbus: "https://mbus:pw@0.0.0.0:6868" },
      blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/micro_bosh/data/cache" } },
      ntp: [],
      local: { base_dir: "/tmp/somewhere", ssh_port: 2222, ssh_user: "vcap" },
    });
    expect(job.files.map((f) => f.path).sort()).toEqual(["bin/cpi", "config/cpi.json", "monit"]);
  });

  it("fails to render without agent.mbus", async () => {
    await expect(renderCpiJob({})).rejects.toThrow(/agent\.mbus/);
  });

  it("renders a bin/cpi that runs the package's CPI with the rendered config, as bosh-cli invokes it", async () => {
    // given: the installation layout bosh-cli makes (packages/<pkg>, jobs/<job>)
    const job = await renderCpiJob({ agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, local: { base_dir: "/tmp/unused" } });
    const install = mkdtempSync(join(tmpdir(), "installation-"));
    const jobDir = join(install, "jobs", "local_cpi");
    for (const f of job.files) {
      mkdirSync(join(jobDir, f.path, ".."), { recursive: true });
      writeFileSync(join(jobDir, f.path), f.content);
    }
    chmodSync(join(jobDir, "bin", "cpi"), 0o755);
    // when
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        join(jobDir, "bin", "cpi"),
        [],
        // BOSH_PACKAGES_DIR points at the unpacked local_cpi package's parent.
        { env: { ...process.env, BOSH_PACKAGES_DIR: artifacts.dir, BOSH_JOBS_DIR: join(install, "jobs") } },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
      child.stdin?.end('{"method":"info","arguments":[],"context":{"director_uuid":"d"},"api_version":1}');
    });
    // then
    expect(JSON.parse(stdout)).toEqual({ result: { api_version: 2, stemcell_formats: ["local-tgz"], vm_ssh_host_key: true }, error: null, log: "" });
  });
});
