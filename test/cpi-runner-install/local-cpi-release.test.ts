/**
 * The real thing: LOCAL-CPI's artefacts, built fresh by their builder into a temp dir, read by
 * our release/stemcell readers, and the CPI release installed and asked for `info`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { installCpi, type InstallEvent } from "../../src/cpi-runner/install/index.js";
import { extractRelease, inspectRelease } from "../../src/director-release/index.js";
import { buildArtifacts, CPI_RELEASE_FILE, DIRECTOR_RELEASE_FILE, STEMCELL_FILE } from "../../src/local/build/artifacts.js";
import { extractStemcellImage, inspectStemcell } from "../../src/stemcell/index.js";

let root: string;
let out: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "local-cpi-release-"));
  out = join(root, "artifacts");
  await buildArtifacts({ repoRoot: resolve(import.meta.dirname, "..", ".."), outDir: out, baseVersion: "0.0.1", commitHash: "test", uncommittedChanges: false });
});

describe("the local provider's artefacts", () => {
  it("are read as a release, a release and a stemcell with an image", async () => {
    const cacheDir = join(root, "inspect");
    expect(await inspectRelease(join(out, CPI_RELEASE_FILE), { cacheDir })).toMatchObject({ name: "bootstrap-local-cpi", compiled: false, jobs: [{ name: "local_cpi" }] });
    expect(await inspectRelease(join(out, DIRECTOR_RELEASE_FILE), { cacheDir })).toMatchObject({ name: "bootstrap-director", jobs: [{ name: "director" }] });
    expect(await inspectStemcell(join(out, STEMCELL_FILE), { cacheDir })).toMatchObject({ name: "bootstrap-local-stemcell", operatingSystem: "local", apiVersion: 3 });
    expect(existsSync(await extractStemcellImage(join(out, STEMCELL_FILE), join(root, "stemcell")))).toBe(true);
  });

  it("install as a CPI that answers info, and a second install compiles nothing", async () => {
    const installOnce = async (n: number) => {
      const release = await extractRelease(join(out, CPI_RELEASE_FILE), join(root, `cpi-release-${n}`));
      const events: InstallEvent[] = [];
      const installation = await installCpi({
        releases: [release],
        templates: [{ name: "local_cpi", release: "bootstrap-local-cpi" }],
        properties: { agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, local: { base_dir: join(root, "base") } },
        deploymentName: "bosh",
        installationDir: join(root, "installation"),
        logger: silentLogger,
        onEvent: (e) => events.push(e),
      });
      return { installation, sources: events.flatMap((e) => (e.kind === "compile-package" ? [e.source] : [])) };
    };
    const first = await installOnce(1);
    expect(first.sources).toEqual(["release"]);
    const request = JSON.stringify({ method: "info", arguments: [], context: { director_uuid: "test" }, api_version: 2 });
    const answer = execFileSync(first.installation.cpiPath, [], { input: request, env: { ...process.env, ...first.installation.env } });
    expect(JSON.parse(answer.toString("utf8"))).toMatchObject({ result: { api_version: 2, stemcell_formats: ["local-tgz"] }, error: null });

    const second = await installOnce(2);
    expect(second.sources).toEqual(["cache"]);
  });
});
