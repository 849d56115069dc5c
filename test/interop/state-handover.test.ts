/**
 * State handover between bootstrap and the upstream bosh-cli (v7.9.13), on the local provider:
 * a state file and a vars store written by either tool are a no-op for the other (same
 * manifest SHA, stemcell and release records), and either tool's delete removes everything the
 * other deployed. Each scenario has its own HOME and address and deletes what it deployed
 * whatever happens.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliResult } from "../e2e/support/cli.js";
import { processesMentioning } from "../e2e/support/director.js";
import { handoverEnv, RUN_TIMEOUT_MS, type HandoverEnv } from "./support/handover-env.js";

const SKIP_MESSAGE = "No deployment, stemcell or release changes. Skipping deploy.";
/** Two runs of a tool plus checks; longer than anything a test waits for. */
const TEST_TIMEOUT_MS = 3 * RUN_TIMEOUT_MS;

interface JsonEvent {
  type: string;
  stage?: string;
  message?: string;
}

const jsonEvents = (r: CliResult): JsonEvent[] =>
  r.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as JsonEvent);

const ok = (r: CliResult): void => expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);

/** What a tool found unchanged when it should have skipped: the manifest SHA first, as bosh-cli checks. */
async function whyDeployed(env: HandoverEnv, stateBefore: string): Promise<string> {
  const interpolated = await env.bosh("int");
  const sha = createHash("sha512").update(interpolated.stdout).digest("hex");
  const recorded = (JSON.parse(stateBefore) as { current_manifest_sha: string }).current_manifest_sha;
  return sha === recorded ? "the manifest SHA matches `bosh int`" : `current_manifest_sha ${recorded.slice(0, 16)}… ≠ sha512(bosh int) ${sha.slice(0, 16)}…`;
}

describe("a state and vars store written by bootstrap deploy, used by bosh-cli", () => {
  let env: HandoverEnv;

  beforeAll(async () => {
    env = await handoverEnv("ours-first", 10);
  });

  afterAll(async () => {
    await env.cleanUp();
  }, 2 * RUN_TIMEOUT_MS + 60_000);

  it(
    "bosh create-env skips the deploy and changes neither the VM, the state file nor the vars store",
    async () => {
      ok(await env.ours("deploy"));
      const state = await env.stateText();
      const vars = await readFile(env.varsStore, "utf8");
      const vm = await processesMentioning(env.home);
      expect(vm, "the deployed VM's processes").not.toEqual([]);

      const r = await env.bosh("create-env");
      ok(r);
      expect(r.stdout, await whyDeployed(env, state ?? "{}")).toContain(SKIP_MESSAGE);
      expect(r.stdout).not.toContain("Creating VM");
      expect(await env.stateText()).toBe(state);
      expect(await readFile(env.varsStore, "utf8")).toBe(vars);
      expect(await processesMentioning(env.home)).toEqual(vm);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "bosh delete-env leaves no VM process, no VM, disk or stemcell, and no state file",
    async () => {
      const vars = await readFile(env.varsStore, "utf8");
      const r = await env.bosh("delete-env");
      ok(r);
      expect(r.stdout).toMatch(/Deleting VM '[^']+'\.\.\. Finished/);
      expect(await env.leftovers()).toEqual([]);
      expect(await env.stateText()).toBeUndefined();
      expect(await readFile(env.varsStore, "utf8")).toBe(vars);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("a state and vars store written by bosh create-env, used by bootstrap", () => {
  let env: HandoverEnv;

  beforeAll(async () => {
    env = await handoverEnv("bosh-first", 20);
  });

  afterAll(async () => {
    await env.cleanUp();
  }, 2 * RUN_TIMEOUT_MS + 60_000);

  it(
    "bootstrap plan and deploy see nothing to do: no CPI call, the VM, state file and vars store unchanged",
    async () => {
      ok(await env.bosh("create-env"));
      const state = await env.stateText();
      const vars = await readFile(env.varsStore, "utf8");
      const vm = await processesMentioning(env.home);
      expect(vm, "the deployed VM's processes").not.toEqual([]);

      const plan = await env.ours("plan");
      ok(plan);
      expect(plan.stdout, await whyDeployed(env, state ?? "{}")).toContain("deploy would do nothing");

      const r = await env.ours("deploy", "--json");
      ok(r);
      const events = jsonEvents(r);
      expect(events.filter((e) => e.type === "info").map((e) => e.message)).toContain(SKIP_MESSAGE);
      expect(events.filter((e) => e.type === "cpi-call")).toEqual([]);
      expect(events.filter((e) => e.type === "stage-started").map((e) => e.stage)).toEqual(["validating"]);
      expect(await env.stateText()).toBe(state);
      expect(await readFile(env.varsStore, "utf8")).toBe(vars);
      expect(await processesMentioning(env.home)).toEqual(vm);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "bootstrap delete leaves no VM process, no VM, disk or stemcell, and no state file",
    async () => {
      const vars = await readFile(env.varsStore, "utf8");
      const { installation_id } = JSON.parse((await env.stateText()) ?? "{}") as { installation_id: string };
      const boshInstallation = join(env.home, ".bosh", "installations", installation_id);
      expect(existsSync(boshInstallation), "bosh-cli's installation before the delete").toBe(true);
      const r = await env.ours("delete");
      ok(r);
      expect(r.stderr).toMatch(/Deleting VM '[^']+'\.\.\. Finished/);
      expect(await env.leftovers()).toEqual([]);
      // As `bosh delete-env` would have: bosh-cli's compiled CPI packages for this state go too.
      expect(existsSync(boshInstallation)).toBe(false);
      expect(await env.stateText()).toBeUndefined();
      expect(await readFile(env.varsStore, "utf8")).toBe(vars);
    },
    TEST_TIMEOUT_MS,
  );
});
