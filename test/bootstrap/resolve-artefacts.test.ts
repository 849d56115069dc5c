/**
 * Resolving a manifest's artefacts: every release and the stemcell are read side by side (each
 * its own chain of download then validation), failures come out as reading them one after the
 * other would have met them, and a deploy's stemcell not yet in the summary cache is extracted
 * while it is validated (its image is then taken from there, not extracted a second time).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bootstrapPaths, type BootstrapEvent } from "../../src/bootstrap/index.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { resolveArtefacts } from "../../src/bootstrap/resolve-artefacts.js";
import { silentLogger } from "../../src/common/index.js";
import type { BootstrapManifest } from "../../src/manifest/index.js";
import { buildRelease, buildStemcell } from "../director-release/release-fixtures.js";

const STEMCELL = "name: s\nversion: '1'\noperating_system: x\napi_version: 3\n";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "resolve-artefacts-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function release(name: string, job: string): Promise<string> {
  return buildRelease(join(root, name), {
    name,
    version: "1",
    jobs: [{ name: job, spec: `---\nname: ${job}\ntemplates: {}\npackages: []\nproperties: {}\n` }],
    packages: [{ name: `${name}-pkg`, files: { packaging: "true\n" } }],
  });
}

function manifest(releases: Record<string, string>, stemcell: string, jobs: { name: string; release: string }[]): BootstrapManifest {
  return {
    name: "resolve",
    path: join(root, "manifest.yml"),
    dir: root,
    releases: Object.entries(releases).map(([name, tarball]) => ({ name, url: `file://${tarball}` })),
    stemcell: { url: `file://${stemcell}` },
    resourcePool: { name: "vms", cloudProperties: {}, env: {} },
    networks: {},
    address: "127.0.180.6",
    instanceGroup: { name: "r", jobs: jobs.map((j) => ({ ...j, properties: null })), properties: {} },
    properties: {},
    update: { watchTimeStartMs: 1000, watchTimeEndMs: 1000 },
    tags: {},
    cloudProvider: { templates: [{ name: "cpi", release: "cpi" }], mbus: "https://127.0.180.6:6868", properties: {} },
  };
}

function resolve(m: BootstrapManifest, stemcellDir?: () => Promise<string>): { events: BootstrapEvent[]; result: ReturnType<typeof resolveArtefacts> } {
  const events: BootstrapEvent[] = [];
  const reporter = new Reporter({ emit: (e) => events.push(e) }, new AbortController().signal);
  const paths = bootstrapPaths({ HOME: root, BOOTSTRAP_HOME: join(root, "home") });
  const result = resolveArtefacts(m, paths, reporter, silentLogger, new AbortController().signal, stemcellDir === undefined ? {} : { stemcellDir });
  result.catch(() => undefined);
  return { events, result };
}

const steps = (events: BootstrapEvent[], type: "step-started" | "step-finished"): string[] =>
  events.flatMap((e) => (e.type === type ? [(e as { step: string }).step] : []));

describe("resolveArtefacts", () => {
  it("reads every release and the stemcell side by side: each has started before the first is done", async () => {
    const m = manifest({ cpi: await release("cpi", "cpi"), director: await release("director", "d") }, await buildStemcell(root, STEMCELL), [{ name: "d", release: "director" }]);
    const { events, result } = resolve(m);
    await result;
    const firstDone = events.findIndex((e) => e.type === "step-finished");
    const startedBefore = steps(events.slice(0, firstDone), "step-started");
    expect(startedBefore).toEqual(["Downloading release 'cpi'", "Downloading release 'director'", "Downloading stemcell"]);
    expect(steps(events, "step-finished")).toEqual(expect.arrayContaining(["Validating release 'cpi'", "Validating release 'director'", "Validating stemcell"]));
  });

  it("reports the failure a one-by-one read meets first, once every read has ended", async () => {
    const junk = join(root, "junk.tgz");
    writeFileSync(junk, "not a tarball");
    const cpi = await release("cpi", "cpi");
    // A broken release before a broken stemcell: the release's error.
    const both = resolve(manifest({ cpi, director: junk }, junk, []));
    await expect(both.result).rejects.toMatchObject({ code: "RELEASE_INVALID", message: expect.stringContaining(junk) });
    expect(steps(both.events, "step-finished")).toContain("Validating stemcell");
    // A job the releases lack comes before a broken stemcell, as the checks ran before.
    const jobs = resolve(manifest({ cpi }, junk, [{ name: "nope", release: "cpi" }]));
    await expect(jobs.result).rejects.toMatchObject({ code: "MANIFEST_INVALID" });
    // Alone, the broken stemcell is what fails.
    await expect(resolve(manifest({ cpi }, junk, [])).result).rejects.toMatchObject({ code: "STEMCELL_INVALID" });
  });

  it("extracts a deploy's new stemcell while validating it; a cached one, or plan's, is not extracted", async () => {
    const m = manifest({ cpi: await release("cpi", "cpi") }, await buildStemcell(root, STEMCELL, "the image"), []);
    const planned = await resolve(m).result;
    expect(planned.stemcell.image).toBeUndefined();
    rmSync(join(root, "home", "cache"), { recursive: true });
    const dir = join(root, "work", "stemcell");
    const deployed = await resolve(m, async () => dir).result;
    expect(await deployed.stemcell.image?.()).toBe(join(dir, "image"));
    const again = await resolve(m, () => Promise.reject(new Error("extracted again"))).result;
    expect(again.stemcell).toEqual({ tarball: deployed.stemcell.tarball, summary: deployed.stemcell.summary });
  });
});
