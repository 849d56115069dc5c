/**
 * The side-by-side benchmark's fixtures, generated into a temp dir at bench time (never
 * committed): the example manifest on 127.0.<octet>.10 with a snapshot of the local provider's
 * artefacts (artifacts/ is rebuilt by any `npm run build` meanwhile), a stemcell carrying the
 * upstream bosh-agent, and an ops file through which a run changes one director property.
 *
 * "tiny" is the example as it is (two small packages). "big" adds a release with a 3-package
 * chain whose first package holds `packageMiB` of random bytes, and `stemcellMiB` of random bytes
 * in the stemcell's image: random, so no compression makes either smaller on the wire or disk.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildRelease } from "../../src/local/build/release-tarball.js";
import { exampleManifestAt, repoRoot } from "../../test/e2e/support/cli.js";
import { buildRealAgentStemcell } from "../../test/interop/support/real-agent-stemcell.js";

const ARTEFACTS = ["bootstrap-director-release.tgz", "bootstrap-local-cpi-release.tgz", "bootstrap-local-stemcell.tgz"];
const MIB = 1024 * 1024;

export interface Fixture {
  name: string;
  /** Where its files are; each run's HOME is made inside. */
  dir: string;
  /** Manifest and ops files; the arguments after the command, before -v/--vars-store/--state. */
  manifestArgs: string[];
  /** A `-v` value that changes only the director's name property (a property-change redeploy). */
  labelVar: string;
}

export interface BigSizes {
  packageMiB: number;
  stemcellMiB: number;
}

export async function tinyFixture(dir: string, octet: number): Promise<Fixture> {
  return fixture("tiny", dir, octet, [], []);
}

export async function bigFixture(dir: string, octet: number, sizes: BigSizes): Promise<Fixture> {
  await mkdir(dir, { recursive: true });
  const release = bigRelease(sizes.packageMiB);
  const releasePath = join(dir, "bench-big-release.tgz");
  await writeFile(releasePath, release.tarball);
  const ops = [
    { type: "replace", path: "/releases/-", value: { name: release.name, url: `file://${releasePath}` } },
    { type: "replace", path: "/instance_groups/name=bosh/jobs/-", value: { name: "bench-big", release: release.name } },
  ];
  const bulk = [{ path: "bench/bulk", content: randomBytes(sizes.stemcellMiB * MIB) }];
  return fixture(`big (${sizes.packageMiB} MiB package, ${sizes.stemcellMiB} MiB stemcell)`, dir, octet, ops, bulk);
}

async function fixture(name: string, dir: string, octet: number, extraOps: object[], stemcellBulk: { path: string; content: Buffer }[]): Promise<Fixture> {
  await mkdir(join(dir, "artefacts"), { recursive: true });
  for (const file of ARTEFACTS) await copyFile(join(repoRoot, "artifacts", file), join(dir, "artefacts", file));
  const manifest = await exampleManifestAt(dir, octet);
  const stemcell = await buildRealAgentStemcell(dir, stemcellBulk);
  const ops = [
    { type: "replace", path: "/resource_pools/name=vms/stemcell/url", value: `file://${stemcell.path}` },
    { type: "replace", path: "/instance_groups/name=bosh/properties/director/name", value: "((bench_label))" },
    ...extraOps,
  ];
  const opsPath = join(dir, "bench.yml");
  // JSON is YAML: both tools read this ops file as it is.
  await writeFile(opsPath, `${JSON.stringify(ops, null, 2)}\n`);
  const text = await readFile(manifest, "utf8");
  await writeFile(manifest, text.replaceAll(`file://${join(repoRoot, "artifacts")}/`, `file://${join(dir, "artefacts")}/`));
  return { name, dir, manifestArgs: [manifest, "-o", opsPath], labelVar: "bench_label" };
}

/** bench-big: a job using big-c, which needs big-b, which needs big-a (the bulk). */
function bigRelease(packageMiB: number): { name: string; tarball: Buffer } {
  const packaging = (body: string) => ({ path: "packaging", content: Buffer.from(`set -e\n${body}\n`), mode: 0o755 });
  const release = buildRelease({
    name: "bench-big",
    baseVersion: "0.1.0",
    commitHash: "bench",
    uncommittedChanges: false,
    source: {
      packages: [
        { name: "big-a", dependencies: [], files: [packaging('cp big-a/bulk "${BOSH_INSTALL_TARGET}/"'), { path: "big-a/bulk", content: randomBytes(packageMiB * MIB) }] },
        { name: "big-b", dependencies: ["big-a"], files: [packaging('echo b > "${BOSH_INSTALL_TARGET}/b"')] },
        { name: "big-c", dependencies: ["big-b"], files: [packaging('echo c > "${BOSH_INSTALL_TARGET}/c"')] },
      ],
      jobs: [
        {
          name: "bench-big",
          manifest: { name: "bench-big", templates: { "label.erb": "config/label" }, packages: ["big-c"], properties: {} },
          packages: ["big-c"],
          files: [
            { path: "monit", content: Buffer.from("") },
            { path: "templates/label.erb", content: Buffer.from("bench-big\n") },
          ],
        },
      ],
    },
  });
  return { name: release.name, tarball: release.tarball };
}
