/**
 * The local provider's own costs: building the three artefacts (goal: a few seconds, as it runs
 * in every `npm run build`), one CPI call (Node start-up of the bundled CPI), and a VM's
 * create_vm + delete_vm round trip (namespace, SSH server up, every process ended).
 * Needs root (or unprivileged user namespaces). IPs 127.0.30.70-79.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, bench, describe } from "vitest";
import { buildArtifacts } from "../src/local/build/artifacts.js";
import { cpiBundle } from "../test/local/cpi/support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "../test/local/cpi/support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "../test/local/cpi/support/run-cpi.js";
import { REPO_ROOT } from "../test/local/e2e-protocol/support/built-artifacts.js";

const runs = { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 };
let cpi: CpiRunner;
let stemcell: unknown;

beforeAll(async () => {
  cpi = cpiRunner({ script: await cpiBundle() });
  stemcell = await cpi.ok("create_stemcell", [fakeStemcellImage(), {}]);
});

describe("local provider", () => {
  bench(
    "build the three artefacts",
    async () => {
      const outDir = mkdtempSync(join(tmpdir(), "bench-build-"));
      await buildArtifacts({ repoRoot: REPO_ROOT, outDir, baseVersion: "0.0.0", commitHash: "bench", uncommittedChanges: false });
    },
    runs,
  );

  bench("one CPI call (info)", async () => void (await cpi.ok("info")), runs);

  bench(
    "create_vm + delete_vm",
    async () => {
      const [vm] = (await cpi.ok("create_vm", ["bench", stemcell, {}, manualNetwork("127.0.30.70"), [], {}])) as [string];
      await cpi.ok("delete_vm", [vm]);
    },
    runs,
  );
});
