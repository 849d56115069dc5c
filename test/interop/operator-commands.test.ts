/**
 * The operator commands next to the upstream peers: bosh-cli 7.9.13 reaches the example director
 * with what `bootstrap env` prints, and `bootstrap stop` / `start` drive the upstream bosh-agent
 * (v2.778.0, dummy platform) through the actions bosh stop-env / start-env use.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, exampleManifestAt, makeHome, runCli } from "../e2e/support/cli.js";
import { processesMentioning } from "../e2e/support/director.js";
import { peerPath } from "./support/peers.js";
import { buildRealAgentStemcell } from "./support/real-agent-stemcell.js";
import { actionsAnswered, hostPath, vmRoot } from "./support/real-agent-vm.js";

const STEP_MS = 330_000;

describe("bosh-cli reaches the example director with `bootstrap env`'s output", () => {
  let home: string;
  let flags: string[];

  beforeAll(async () => {
    home = await makeHome("interop-env");
    flags = [await exampleManifestAt(home, 131), "-v", "director_name=env-interop", "--vars-store", join(home, "creds.yml"), "--state", join(home, "state.json")];
    const r = await runCli(["deploy", ...flags], { home });
    expect(r.exitCode, r.stderr).toBe(0);
  }, STEP_MS);

  afterAll(async () => {
    await runCli(["delete", ...flags], { home });
    expect(await processesMentioning(home)).toEqual([]);
  }, STEP_MS);

  it("bosh env, with BOSH_ENVIRONMENT and BOSH_CA_CERT from an eval", async () => {
    const script = [
      `eval "$("${process.execPath}" "${cliPath}" env ${flags.map((a) => `'${a}'`).join(" ")})"`,
      `"${peerPath("bosh")}" env --json`,
    ].join("\n");
    const r = await execa("bash", ["-c", script], { env: { HOME: home, PATH: process.env["PATH"] ?? "" }, extendEnv: false, reject: false });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { Tables: { Rows: { name: string; user: string }[] }[]; Lines: string[] };
    expect(out.Tables[0]?.Rows[0]).toMatchObject({ name: "env-interop", user: "(not logged in)" });
    expect(out.Lines).toContain("Using environment 'https://127.0.131.10:25555' as anonymous user");
  }, STEP_MS);
});

describe("stop and start on the upstream bosh-agent", () => {
  let home: string;
  let flags: string[];
  let statePath: string;
  /** stop and start call no CPI: a BOOTSTRAP_HOME of their own keeps their debug logs apart. */
  const operatorHome = (): string => join(home, "operator-bootstrap-home");

  beforeAll(async () => {
    home = await makeHome("interop-stop-start");
    const manifest = await exampleManifestAt(home, 132);
    const stemcell = await buildRealAgentStemcell(home);
    const ops = join(home, "real-agent.yml");
    await writeFile(ops, `- type: replace\n  path: /resource_pools/name=vms/stemcell/url\n  value: file://${stemcell.path}\n`);
    statePath = join(home, "state.json");
    flags = [manifest, "-o", ops, "-v", "director_name=stop-start", "--vars-store", join(home, "creds.yml"), "--state", statePath];
    const r = await runCli(["deploy", ...flags], { home });
    expect(r.exitCode, r.stderr).toBe(0);
  }, STEP_MS);

  afterAll(async () => {
    await runCli(["delete", ...flags], { home });
    expect(await processesMentioning(home)).toEqual([]);
  }, STEP_MS);

  it("stop: pre-stop, drain, stop and post-stop answered by the real agent; start: pre-start, start, running, post-start", async () => {
    const stopped = await runCli(["stop", ...flags], { home, env: { BOOTSTRAP_HOME: operatorHome() } });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect([...(await actionsAnswered(operatorHome()))].sort()).toEqual(["drain", "ping", "run_script", "stop"]);
    const { current_vm_cid: cid, jobs_stopped_at: at } = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; jobs_stopped_at?: string };
    expect(at).toBeDefined();

    const started = await runCli(["start", ...flags], { home, env: { BOOTSTRAP_HOME: operatorHome() } });
    expect(started.exitCode, started.stderr).toBe(0);
    expect([...(await actionsAnswered(operatorHome()))].sort()).toEqual(["drain", "get_state", "ping", "run_script", "start", "stop"]);
    // The job's own scripts ran for real on the VM.
    await readFile(await hostPath(vmRoot(home, cid), "/var/vcap/sys/log/director/post-start.stdout.log"), "utf8");
    expect(JSON.parse(await readFile(statePath, "utf8"))).not.toHaveProperty("jobs_stopped_at");
  }, STEP_MS);
});
