/**
 * A test-only external CPI for driving `bosh create-env` up to and past template rendering
 * without any cloud: a release whose one job renders `bin/cpi`, a Node script that answers the
 * CPI protocol (create-env reference §5) from a fixed table, and a stemcell (api_version 2)
 * whose image is never looked at. The "VM" it creates is whatever agent the test serves at the
 * manifest's mbus URL.
 */
import { renameSync } from "node:fs";
import { join } from "node:path";
import { buildRelease, buildStemcell } from "../../director-release/release-fixtures.js";

export const STUB_CPI_RELEASE = "render-stub-cpi";
export const STUB_CPI_JOB = "stub_cpi";

// create_vm answers in the API v2 shape ([cid, networks]); methods not in the table are
// NotImplemented, which bosh-cli tolerates where it may (set_vm_metadata) and fails on elsewhere.
const CPI_SCRIPT = `
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

/** Builds the stub CPI release and a matching stemcell as `dir`/render-stub-cpi-1.tgz and `dir`/stub-stemcell.tgz. */
export async function buildStubCpi(dir: string): Promise<{ release: string; stemcell: string }> {
  const release = await buildRelease(join(dir, "stub-cpi-build"), {
    name: STUB_CPI_RELEASE,
    version: "1",
    jobs: [
      {
        name: STUB_CPI_JOB,
        spec: `---\nname: ${STUB_CPI_JOB}\ntemplates:\n  cpi.erb: bin/cpi\npackages: []\nproperties: {}\n`,
        // The shebang names this very Node, so the CPI runs whatever PATH bosh-cli passes on.
        templates: { "cpi.erb": `#!${process.execPath}\n${CPI_SCRIPT}` },
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
