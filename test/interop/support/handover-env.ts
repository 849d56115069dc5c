/**
 * A private world for one state-handover scenario: its own HOME (so ~/.bosh, ~/.bootstrap and
 * the local provider's base dir are its own), a snapshot of the local provider's artefacts, the
 * example manifest moved to one 10.253.90.x address (a network namespace of its own on the
 * provider's bridge for 10.253.90.0/24), and both CLIs run with the same manifest,
 * vars store and state file.
 *
 * The artefacts are copied because artifacts/ is rebuilt by any `npm run build` in the checkout;
 * both tools must see the very same release and stemcell versions for the whole scenario.
 */
import { access, copyFile, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { exampleManifest, makeHome, repoRoot, runCli, type CliResult } from "../../e2e/support/cli.js";
import { processesMentioning } from "../../e2e/support/director.js";
import { peerPath } from "./peers.js";

/** Longer than any single run takes on a loaded machine; tests wait longer than this. */
export const RUN_TIMEOUT_MS = 240_000;

const ARTEFACTS = ["bootstrap-director-release.tgz", "bootstrap-local-cpi-release.tgz", "bootstrap-local-stemcell.tgz"];
/** The local CPI's inventory under its base dir: every kind of thing a deployment leaves. */
const INVENTORY_DIRS = ["vms", "disks", "disk-meta", "stemcells", "ips", "trash"];

export interface HandoverEnv {
  home: string;
  manifest: string;
  varsStore: string;
  statePath: string;
  address: string;
  /** bosh-cli, with --tty so its stage lines are printed as in a terminal. */
  bosh(command: "create-env" | "delete-env" | "int"): Promise<CliResult>;
  ours(command: "deploy" | "plan" | "delete", ...extra: string[]): Promise<CliResult>;
  stateText(): Promise<string | undefined>;
  /** VM processes still running and inventory entries left under the local provider's base dir. */
  leftovers(): Promise<string[]>;
  /** Deletes whatever is deployed, by our CLI and then by bosh-cli if a state file is still there. */
  cleanUp(): Promise<void>;
}

export async function handoverEnv(name: string, host: number): Promise<HandoverEnv> {
  const home = await makeHome(`handover-${name}`);
  const artefacts = join(home, "artefacts");
  await mkdir(artefacts);
  for (const file of ARTEFACTS) await copyFile(join(repoRoot, "artifacts", file), join(artefacts, file));

  const address = `10.253.90.${host}`;
  const manifest = join(home, "local.yml");
  const text = (await readFile(exampleManifest, "utf8"))
    .replaceAll("10.253.10.10", address)
    .replaceAll("10.253.10.", "10.253.90.")
    .replaceAll("file://../../artifacts/", `file://${artefacts}/`);
  await writeFile(manifest, text);

  const varsStore = join(home, "creds.yml");
  const statePath = join(home, "state.json");
  const common = [manifest, "-v", `director_name=${name}`, "--vars-store", varsStore];
  const stateText = (): Promise<string | undefined> => readFile(statePath, "utf8").catch(() => undefined);

  const env: HandoverEnv = {
    home,
    manifest,
    varsStore,
    statePath,
    address,
    async bosh(command) {
      const args = command === "int" ? [command, ...common] : [command, ...common, "--state", statePath, "--tty"];
      const started = Date.now();
      const r = await execa(peerPath("bosh"), args, { cwd: home, env: { HOME: home }, reject: false, timeout: RUN_TIMEOUT_MS, stdin: "ignore" });
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, durationMs: Date.now() - started };
    },
    ours(command, ...extra) {
      return runCli([command, ...common, "--state", statePath, ...extra], { home, cwd: home, timeoutMs: RUN_TIMEOUT_MS });
    },
    stateText,
    async leftovers() {
      const left = (await processesMentioning(home)).map((p) => `process ${p}`);
      const base = join(home, ".bootstrap", "local");
      for (const dir of INVENTORY_DIRS) {
        const entries = await readdir(join(base, dir)).catch(() => []);
        left.push(...entries.map((entry) => `${dir}/${entry}`));
      }
      return left;
    },
    async cleanUp() {
      if (await exists(statePath)) await env.ours("delete");
      if (await exists(statePath)) await env.bosh("delete-env");
    },
  };
  return env;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
