/**
 * The YAML inside artefacts (release.MF, job.MF, stemcell.MF) and bosh-init's state file go
 * through the same bounded parser as manifests: the bomb corpus is refused with YAML_TOO_LARGE
 * naming the file and the tarball, and the hint says to fetch the artefact again.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractRelease, inspectRelease } from "../../src/director-release/index.js";
import { readState } from "../../src/state/index.js";
import { inspectStemcell } from "../../src/stemcell/index.js";
import { YAML_BOMBS } from "../common/yaml-bombs.js";
import { buildRelease, buildStemcell, packDir, writeTree } from "./release-fixtures.js";

// No wall-clock bound here (a busy machine makes a test slower, never red): the test timeout
// is what catches an expansion coming back, which took minutes and gigabytes.

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "artefact-bombs-"));
});

async function refusal(run: () => Promise<unknown>): Promise<{ error: unknown }> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error };
}

describe.each(YAML_BOMBS)("$name", ({ text, mergeKeys }) => {
  it("is refused as release.MF", async () => {
    writeTree(join(root, "r"), { "release.MF": text });
    const tarball = await packDir(join(root, "r"), join(root, "bomb-release.tgz"));
    const { error } = await refusal(() => inspectRelease(tarball, { cacheDir: join(root, "cache") }));
    // release.MF is read with the failsafe schema: `<<` is a plain key there, nothing is merged.
    const code = mergeKeys === true ? "RELEASE_INVALID" : "YAML_TOO_LARGE";
    expect(error).toMatchObject({ code, message: expect.stringContaining("release.MF in"), hint: expect.stringMatching(/download it again|rebuild it/) });
    expect((error as Error).message).toContain("bomb-release.tgz");
  });

  it("is refused as a job's job.MF", async () => {
    const tarball = await buildRelease(root, { name: "demo", version: "1", jobs: [{ name: "web", spec: text }], packages: [] });
    const { error } = await refusal(() => extractRelease(tarball, join(root, "work")));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("job.MF"), hint: expect.stringContaining("download it again") });
  });

  it("is refused as stemcell.MF", async () => {
    const tarball = await buildStemcell(root, text);
    const { error } = await refusal(() => inspectStemcell(tarball, { cacheDir: join(root, "cache") }));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("stemcell.MF in"), hint: expect.stringContaining("download or build it again") });
  });

  it("is refused as bosh-init's bosh-deployments.yml", async () => {
    await writeFile(join(root, "bosh-deployments.yml"), text);
    const { error } = await refusal(() => readState(join(root, "state.json")));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("bosh-deployments.yml"), hint: expect.stringContaining("move away") });
  });
});

describe("a bomb inside an otherwise valid file", () => {
  // Six levels of the laughs: 600 000 values. Before the limits these were accepted (and eight
  // levels took 42 s and 1.1 GB before failing with "Invalid string length" in the summary cache).
  const anchors = YAML_BOMBS[0]!.text;

  it("is refused in stemcell.MF's cloud_properties, which would go to the CPI", async () => {
    const tarball = await buildStemcell(root, `${anchors}name: s\nversion: '1'\noperating_system: x\napi_version: 3\ncloud_properties: {bomb: *l5}\n`);
    const { error } = await refusal(() => inspectStemcell(tarball, { cacheDir: join(root, "cache") }));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("stemcell.MF in") });
  });

  it("is refused in a job.MF property default, which would be rendered into templates", async () => {
    const spec = `${anchors}name: web\ntemplates: {}\npackages: []\nproperties:\n  bomb: {default: *l5}\n`;
    const tarball = await buildRelease(root, { name: "demo", version: "1", jobs: [{ name: "web", spec }], packages: [] });
    const { error } = await refusal(() => extractRelease(tarball, join(root, "work")));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("job.MF") });
  });
});
