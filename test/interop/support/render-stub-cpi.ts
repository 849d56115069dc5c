/**
 * A test-only external CPI for driving `bosh create-env` up to and past template rendering
 * without any cloud: a release whose one job renders `bin/cpi`, a Node script that answers the
 * CPI protocol (create-env reference §5) from a fixed table, and a stemcell (api_version 2)
 * whose image is never looked at. The "VM" it creates is whatever agent the test serves at the
 * manifest's mbus URL.
 *
 * The job is also a rendering case of its own (CPI jobs get global properties {} and the
 * manifest's cloud_provider.properties): on its first call the script copies its installed job
 * directory to `stub.dump_dir`, since bosh-cli deletes installed CPI jobs when it finishes.
 */
import { renameSync } from "node:fs";
import { join } from "node:path";
import { buildRelease, buildStemcell } from "../../director-release/release-fixtures.js";

export const STUB_CPI_RELEASE = "render-stub-cpi";
export const STUB_CPI_JOB = "stub_cpi";

// create_vm answers in the API v2 shape ([cid, networks]); methods not in the table are
// NotImplemented, which bosh-cli tolerates where it may (set_vm_metadata) and fails on elsewhere.
const CPI_SCRIPT = `
const fs = require("fs");
const path = require("path");
const dumpDir = <%= JSON.dump(p("stub.dump_dir")) %>;
if (!fs.existsSync(dumpDir)) fs.cpSync(path.dirname(path.dirname(process.argv[1])), dumpDir, { recursive: true });
const answers = {
  info: { stemcell_formats: ["stub-raw"], api_version: 2 },
  create_stemcell: "stub-stemcell",
  delete_stemcell: null,
  create_vm: ["stub-vm", {}],
  has_vm: false,
  delete_vm: null,
  set_vm_metadata: null,
};
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { method } = JSON.parse(input);
  const known = Object.prototype.hasOwnProperty.call(answers, method);
  const error = known ? null : { type: "Bosh::Clouds::NotImplemented", message: "stub CPI: " + method, ok_to_retry: false };
  process.stdout.write(JSON.stringify({ result: known ? answers[method] : null, error, log: "" }));
});
`;

const STUB_CPI_SPEC = `---
name: ${STUB_CPI_JOB}
templates:
  cpi.erb: bin/cpi
  config.json.erb: config/cpi.json
packages: []
properties:
  stub.dump_dir: {description: where the script copies its installed job}
  stub.name: {default: stub}
  stub.settings: {default: {b: 1, a: {d: 1}}}
  stub.settings.a.c: {default: 3}
`;

const CONFIG_TEMPLATE = `<%=
  JSON.pretty_generate(
    "name" => p("stub.name"),
    "settings" => p("stub.settings"),
    "deployment" => spec.deployment,
    "address" => spec.address,
    "job" => spec.job.name,
    "global" => spec.global_properties.to_h.keys,
    "cluster" => spec.cluster_properties.to_h.keys,
    "job_properties" => spec.job_properties.nil?,
  )
%>
`;

/** Builds the stub CPI release and a matching stemcell as `dir`/render-stub-cpi-1.tgz and `dir`/stub-stemcell.tgz. */
export async function buildStubCpi(dir: string): Promise<{ release: string; stemcell: string }> {
  const release = await buildRelease(join(dir, "stub-cpi-build"), {
    name: STUB_CPI_RELEASE,
    version: "1",
    jobs: [
      {
        name: STUB_CPI_JOB,
        spec: STUB_CPI_SPEC,
        // The shebang names this very Node, so the CPI runs whatever PATH bosh-cli passes on.
        templates: { "cpi.erb": `#!${process.execPath}\n${CPI_SCRIPT}`, "config.json.erb": CONFIG_TEMPLATE },
      },
    ],
    packages: [],
  });
  const stemcell = await buildStemcell(
    join(dir, "stub-stemcell-build"),
    "---\nname: stub-stemcell\nversion: '1'\noperating_system: ubuntu-stub\nstemcell_formats: [stub-raw]\napi_version: 2\ncloud_properties: {}\nsha1: 0000000000000000000000000000000000000000\n",
  );
  const out = { release: join(dir, `${STUB_CPI_RELEASE}-1.tgz`), stemcell: join(dir, "stub-stemcell.tgz") };
  renameSync(release, out.release);
  renameSync(stemcell, out.stemcell);
  return out;
}
