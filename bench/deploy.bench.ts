/**
 * The main job's speed, measured end to end through the bundled CLI on the local provider:
 * a full deploy with cold and warm caches, a no-op redeploy (goal ≤ 1 s, Node start-up
 * included), a redeploy after a property change (goal: zero packages compiled; the count is
 * printed), and `--version` (goal ≤ 150 ms). Every VM made here is deleted again.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, bench, describe } from "vitest";
import { exampleManifestAt, makeHome, runCli } from "../test/e2e/support/cli.js";

const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };
const repeated = { iterations: 10, warmupIterations: 1, time: 0, warmupTime: 0 };

async function deployment(octet: number) {
  const home = await makeHome(`bench-${octet}`);
  const manifest = await exampleManifestAt(home, octet);
  const args = (...extra: string[]) => [manifest, "-v", "director_name=bench", "--vars-store", join(home, "creds.yml"), "--state", join(home, "state.json"), ...extra];
  const run = async (command: string, ...extra: string[]) => {
    const r = await runCli([command, ...args(...extra)], { home });
    if (r.exitCode !== 0) throw new Error(`${command} failed:\n${r.stderr}`);
    return r;
  };
  return { home, run };
}

describe("deploy", () => {
  bench(
    "full deploy, cold caches (fresh HOME), then delete",
    async () => {
      const d = await deployment(21);
      await d.run("deploy");
      await d.run("delete");
    },
    once,
  );

  let warm: Awaited<ReturnType<typeof deployment>>;
  bench(
    "full deploy, warm caches (CPI and packages compiled before), then delete",
    async () => {
      await warm.run("deploy");
      await warm.run("delete");
    },
    {
      ...once,
      setup: async () => {
        warm = await deployment(22);
        await warm.run("deploy");
        await warm.run("delete");
      },
    },
  );
});

describe("redeploy", () => {
  // tinybench runs `setup` before a bench's iterations: the deployment is made once and shared.
  let d: Awaited<ReturnType<typeof deployment>> | undefined;
  const deployed = async () => {
    if (d === undefined) {
      d = await deployment(23);
      await d.run("deploy");
    }
    return d;
  };
  let flip = 0;

  bench(
    "no-op redeploy (Node start-up included)",
    async () => {
      await (await deployed()).run("deploy");
    },
    { ...repeated, setup: async () => void (await deployed()) },
  );

  bench(
    "redeploy after a property change",
    async () => {
      const current = await deployed();
      flip += 1;
      const ops = join(current.home, "rename.yml");
      await writeFile(ops, `- type: replace\n  path: /instance_groups/name=bosh/properties/director/name\n  value: name-${flip}\n`);
      const r = await current.run("deploy", "-o", ops, "--json");
      const compiled = r.stdout.split("\n").filter((l) => l.includes('"compile-package"') && l.includes('"source":"release"')).length;
      console.log(`property change #${flip}: ${compiled} package(s) compiled`);
    },
    { ...once, iterations: 2, setup: async () => void (await deployed()) },
  );

  // Also the clean-up: tinybench does not wait for teardown hooks before the worker exits.
  bench(
    "delete",
    async () => {
      await (await deployed()).run("delete");
      d = undefined;
    },
    once,
  );
});

describe("start-up", () => {
  let home: string;
  beforeAll(async () => {
    home = await makeHome("bench-version");
  });
  bench("bootstrap --version", async () => {
    await runCli(["--version"], { home });
  }, repeated);
});
