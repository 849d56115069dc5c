/**
 * What an operator or a pipeline does with a deployed director, through the built CLI on the
 * local example: `env` (its output reaches the director with curl), `stop`/`start`, and the
 * `state` commands. One deployment for the whole file; deleted at the end.
 */
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesMentioning } from "./support/director.js";
import { cliPath, exampleManifestAt, makeHome, runCli } from "./support/cli.js";

const ADDRESS = "127.0.130.10";

describe("operator commands on the deployed local example", () => {
  let home: string;
  let manifest: string;
  let varsStore: string;
  let statePath: string;
  const flags = (...extra: string[]): string[] => [manifest, "-v", "director_name=ops", "--vars-store", varsStore, "--state", statePath, ...extra];

  beforeAll(async () => {
    home = await makeHome("e2e-operator");
    manifest = await exampleManifestAt(home, 130);
    varsStore = join(home, "creds.yml");
    statePath = join(home, "state.json");
    const deployed = await runCli(["deploy", ...flags()], { home });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    await runCli(["delete", ...flags()], { home });
    expect(await processesMentioning(home)).toEqual([]);
  });

  it("env: eval its output, and curl --cacert reaches the director", async () => {
    const script = [
      `eval "$("${process.execPath}" "${cliPath}" env ${flags().map((a) => `'${a}'`).join(" ")})"`,
      'printf "%s\\n" "$BOSH_ENVIRONMENT"',
      'curl --silent --show-error --fail --cacert <(printf "%s" "$BOSH_CA_CERT") "$BOSH_ENVIRONMENT/info"',
    ].join("\n");
    const r = await execa("bash", ["-c", script], { env: { HOME: home, PATH: process.env["PATH"] ?? "" }, extendEnv: false, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const [environment, body] = r.stdout.split("\n");
    expect(environment).toBe(`https://${ADDRESS}:25555`);
    expect(JSON.parse(body ?? "")).toMatchObject({ name: "ops" });

    const json = await runCli(["env", ...flags("--json")], { home });
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ BOSH_ENVIRONMENT: `https://${ADDRESS}:25555`, BOSH_CA_CERT: expect.stringContaining("BEGIN CERTIFICATE") });
    // The example director has no user management: nothing to print, and the shell form clears stale credentials.
    const shell = await runCli(["env", ...flags()], { home });
    expect(shell.stdout).toContain("unset BOSH_CLIENT\nunset BOSH_CLIENT_SECRET");
    expect(shell.stderr).toContain("BOSH_CLIENT is not set: the director has no user_management properties.");
  });
});
