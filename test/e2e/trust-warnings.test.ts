/**
 * Trust, as the user sees it in the terminal (the plain renderer on stderr): a manifest without
 * cloud_provider.cert.ca gets a warning that the agent's certificate is not verified, once per
 * run; the local CPI tells the VM's SSH host key, so nothing is trusted on first use and the
 * state pins the key the VM was made with. IP 127.0.111.10.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleManifestAt, makeHome, runCli } from "./support/cli.js";
import { processesMentioning } from "./support/director.js";

describe("trust warnings on the terminal", () => {
  let home: string;
  let manifest: string;
  let noCa: string;
  const args = (): string[] => [
    manifest,
    "-o",
    noCa,
    "-v",
    "director_name=trust",
    "--vars-store",
    join(home, "creds.yml"),
    "--state",
    join(home, "state.json"),
  ];
  const NO_CA = /^Warning: No CA: the agent's certificate at https:\/\/127\.0\.111\.10:6868 is not verified/gm;

  beforeAll(async () => {
    home = await makeHome("e2e-trust");
    manifest = await exampleManifestAt(home, 111);
    noCa = join(home, "no-ca.yml");
    await writeFile(noCa, "- type: remove\n  path: /cloud_provider/cert\n");
  });

  afterAll(async () => {
    await runCli(["delete", ...args()], { home });
  });

  it("deploy warns once that without a CA the agent's certificate is not verified, and trusts no SSH key on first use", async () => {
    const r = await runCli(["deploy", ...args()], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.match(NO_CA)?.length, r.stderr).toBe(1);
    expect(r.stderr).not.toContain("trusting on first use");
    const state = JSON.parse(await readFile(join(home, "state.json"), "utf8")) as { current_vm_cid: string; current_vm_ssh_host_key: string };
    const published = await readFile(join(home, ".bootstrap", "local", "vms", state.current_vm_cid, "ssh_host_key.fingerprint"), "utf8");
    expect(state.current_vm_ssh_host_key).toBe(published.trim());
  });

  it("delete warns the same way, and leaves nothing running", async () => {
    const r = await runCli(["delete", ...args()], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.match(NO_CA)?.length, r.stderr).toBe(1);
    expect(await processesMentioning(home)).toEqual([]);
  });
});
