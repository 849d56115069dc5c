/**
 * `bootstrap env` through main(), in process, on manifests shaped like bosh-deployment's
 * bosh.yml (local users) and uaa.yml (UAA clients), with a vars store generated here: the
 * variables, their shell and JSON forms, and when the secret is printed.
 */
import { cp, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { main } from "../../src/cli/main.js";
import { loadBootstrapManifest } from "../../src/manifest/index.js";

const FIXTURES = resolve(__dirname, "fixtures/bosh-deployment");

function collector(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text(): string } {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, text: () => chunks.join("") };
}

let dir: string;
let creds: { director_ssl: { ca: string }; admin_password: string; hm_password: string };

async function bootstrap(args: string[], opts: { tty?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = collector(opts.tty === true);
  const stderr = collector(false);
  const env = { PATH: process.env["PATH"] ?? "", HOME: dir };
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env, cwd: dir, signal: new AbortController().signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The exports of the shell form, as `eval` would set them (values are single-quoted). */
function exportsOf(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^export (\w+)='((?:[^']|'\\'')*)'$/gms)) out[m[1] as string] = (m[2] as string).replaceAll(`'\\''`, "'");
  return out;
}

async function recordDeployment(ops: string[], statePath: string, varsStore = "creds.yml"): Promise<void> {
  const loaded = await loadBootstrapManifest({
    manifestPath: "bosh.yml",
    opsFiles: ops,
    varFlags: { varsFiles: ["vars.yml"], varsStore },
    env: {},
    cwd: dir,
    generation: "dry-run",
  });
  const state = { director_id: "d", installation_id: "i", current_vm_cid: "vm-1", current_stemcell_id: "", current_disk_id: "", current_release_ids: null, current_manifest_sha: loaded.sha512, disks: null, stemcells: null, releases: null };
  await writeFile(join(dir, statePath), JSON.stringify(state));
}

const flags = (...extra: string[]): string[] => ["bosh.yml", "-l", "vars.yml", "--vars-store", "creds.yml", ...extra];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-env-"));
  await cp(FIXTURES, dir, { recursive: true });
  // What these tests read is which variable `env` prints, not the keys' size: 2048-bit
  // certificates (a key_length config-server accepts) instead of the default 3072 make their
  // eight keys a third of the CPU, the largest part of this file's time.
  const manifest = join(dir, "bosh.yml");
  const text = await readFile(manifest, "utf8");
  await writeFile(manifest, text.replaceAll("  type: certificate\n  options:\n", "  type: certificate\n  options:\n    key_length: 2048\n"));
  // The deploy's vars store: every variable generated once, as deploy does.
  const generated = await bootstrap(["interpolate", ...flags("-o", "uaa.yml")]);
  expect(generated.code, generated.stderr).toBe(0);
  creds = yaml.load(await readFile(join(dir, "creds.yml"), "utf8")) as typeof creds;
  await recordDeployment([], "state.json");
  await recordDeployment(["uaa.yml"], "uaa-state.json");
  await recordDeployment(["external-director-port.yml"], "port-state.json");
  // external-ip.yml adds the external IP to the certificates: a deploy with it has its own store,
  // started here from the first one's passwords and CA so that only the two leaves are new keys.
  const { mbus_bootstrap_ssl: _mbus, director_ssl: _director, ...shared } = yaml.load(await readFile(join(dir, "creds.yml"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "external-creds.yml"), yaml.dump(shared), { mode: 0o600 });
  const external = await bootstrap(["interpolate", "bosh.yml", "-l", "vars.yml", "--vars-store", "external-creds.yml", "-o", "external-ip.yml"]);
  expect(external.code, external.stderr).toBe(0);
  await recordDeployment(["external-ip.yml"], "external-state.json", "external-creds.yml");
});

describe("bootstrap env", () => {
  it("prints exports for bosh.yml's director: address and port, the director certificate's CA, the local admin user", async () => {
    const r = await bootstrap(["env", ...flags("--state", "state.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(exportsOf(r.stdout)).toEqual({
      BOSH_ENVIRONMENT: "https://10.0.0.6:25555",
      BOSH_CA_CERT: creds.director_ssl.ca,
      BOSH_CLIENT: "admin",
      BOSH_CLIENT_SECRET: creds.admin_password,
    });
    // stdout holds only the exports; progress and notes are on stderr
    expect(r.stdout.replace(/^export \w+='(?:[^']|'\\'')*'\n/gm, "")).toBe("");
    expect(r.stderr).not.toContain("Warning");
    // printed on purpose to stdout, never logged
    const logs = join(dir, ".bootstrap", "logs");
    for (const file of await readdir(logs)) expect(await readFile(join(logs, file), "utf8")).not.toContain(creds.admin_password);
  });

  it("takes the uaa job's admin client with uaa.yml's ops", async () => {
    const r = await bootstrap(["env", ...flags("-o", "uaa.yml", "--state", "uaa-state.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(exportsOf(r.stdout)).toMatchObject({ BOSH_CLIENT: "admin", BOSH_CLIENT_SECRET: creds.admin_password });
  });

  it("uses director.port", async () => {
    const r = await bootstrap(["env", ...flags("-o", "external-director-port.yml", "--state", "port-state.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(exportsOf(r.stdout)["BOSH_ENVIRONMENT"]).toBe("https://10.0.0.6:8443");
  });

  it("names the address the deploy reached the VM at: the external IP of bosh-deployment's external-ip ops file", async () => {
    const r = await bootstrap(["env", "bosh.yml", "-l", "vars.yml", "--vars-store", "external-creds.yml", "-o", "external-ip.yml", "--state", "external-state.json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(exportsOf(r.stdout)["BOSH_ENVIRONMENT"]).toBe("https://203.0.113.7:25555");
  });

  it("leaves the secret out on a terminal unless --reveal is given", async () => {
    const hidden = await bootstrap(["env", ...flags("--state", "state.json")], { tty: true });
    expect(hidden.code, hidden.stderr).toBe(0);
    expect(hidden.stdout).not.toContain(creds.admin_password);
    expect(hidden.stdout).not.toContain("BOSH_CLIENT_SECRET");
    expect(exportsOf(hidden.stdout)["BOSH_CLIENT"]).toBe("admin");
    expect(hidden.stderr).toContain("BOSH_CLIENT_SECRET is left out on a terminal: add --reveal");

    const revealed = await bootstrap(["env", ...flags("--state", "state.json", "--reveal")], { tty: true });
    expect(exportsOf(revealed.stdout)["BOSH_CLIENT_SECRET"]).toBe(creds.admin_password);
  });

  it("prints one JSON object with --json", async () => {
    const r = await bootstrap(["env", ...flags("--state", "state.json", "--json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      BOSH_ENVIRONMENT: "https://10.0.0.6:25555",
      BOSH_CA_CERT: creds.director_ssl.ca,
      BOSH_CLIENT: "admin",
      BOSH_CLIENT_SECRET: creds.admin_password,
    });
    const onTerminal = await bootstrap(["env", ...flags("--state", "state.json", "--json")], { tty: true });
    expect(JSON.parse(onTerminal.stdout)).not.toHaveProperty("BOSH_CLIENT_SECRET");
  });

  it("says so in --help", async () => {
    const r = await bootstrap(["env", "--help"]);
    expect(r.stdout).toContain("BOSH_CLIENT_SECRET is printed only with --reveal or when stdout is not a terminal");
  });

  it("refuses a state file with no deployment, and a vars store without the deployment's variables", async () => {
    const none = await bootstrap(["env", ...flags("--state", "nothing.json")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("Error [NOT_DEPLOYED]");

    const other = await bootstrap(["env", "bosh.yml", "-l", "vars.yml", "--vars-store", "empty-creds.yml", "--state", "state.json"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("Error [NOT_DEPLOYED]");
    expect(other.stderr).toContain("admin_password");
    await expect(readFile(join(dir, "empty-creds.yml"))).rejects.toThrow();
  });

  it("warns when the manifest is not the one last deployed", async () => {
    const r = await bootstrap(["env", ...flags("-o", "uaa.yml", "--state", "state.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("differs from the one last deployed");
  });
});
