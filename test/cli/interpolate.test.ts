import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { main } from "../../src/cli/main.js";
import { collector } from "./collect-output.js";

const ROOT = resolve(__dirname, "../..");
const FIXTURES = join(ROOT, "test/manifest/fixtures");

/**
 * Runs the CLI's main() in this process, as bin.ts does but with its own streams, working
 * directory and environment (main touches the process only through them): the exit code and
 * the output, never a rejection. The built CLI as a process is covered end to end.
 */
async function bootstrap(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: { ...process.env, ...env }, cwd: dir, signal: new AbortController().signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-interpolate-"));
  await cp(FIXTURES, dir, { recursive: true });
});

describe("bootstrap interpolate (main, in process)", () => {
  it("applies ops in order, reads -l/-v/--var-file/--vars-env, generates into --vars-store and prints YAML", async () => {
    await writeFile(join(dir, "name.txt"), "from-file");
    const r = await bootstrap(
      ["interpolate", "director.yml", "-o", "cpi.yml", "-o", "jumpbox.yml", "-l", "vars.yml", "-v", "director_port=8443", "--var-file", "director_name=name.txt", "--vars-env", "BT", "--vars-store", "creds.yml"],
      { BT_vm_memory: "[1, 2]" },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = yaml.load(r.stdout) as Record<string, any>;
    expect(out["name"]).toBe("from-file");
    expect(out["instance_groups"][0].jobs[1].properties.director).toEqual({ name: "from-file", port: 8443 });
    // --vars-env has the lowest precedence: vars.yml's vm_memory wins.
    expect(out["resource_pools"][0].cloud_properties).toEqual({ cpus: 2, memory: 4096 });
    expect(out["variables"]).toEqual([]);
    // keys come out sorted, like bosh int (yaml.v2), and lists under a key are not indented
    expect(Object.keys(out)).toEqual([...Object.keys(out)].sort());
    expect(r.stdout).toMatch(/^instance_groups:\n- /m);
    expect(r.stdout).toContain("\nvariables: []\n");
    const store = yaml.load(await readFile(join(dir, "creds.yml"), "utf8")) as Record<string, any>;
    expect(Object.keys(store).sort()).toEqual(["default_ca", "jumpbox_ssh", "mbus_password", "mbus_tls", "nats_password"]);
    expect(out["cloud_provider"].cert).toEqual(store["mbus_tls"]);
  });

  it("--path prints one value; a string is printed raw", async () => {
    const pem = await bootstrap(["int", "director.yml", "-o", "cpi.yml", "-l", "vars.yml", "--vars-store", "creds.yml", "--path", "/cloud_provider/cert/ca"]);
    expect(pem.code).toBe(0);
    expect(pem.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n\n$/);
    const map = await bootstrap(["int", "director.yml", "-l", "vars.yml", "--path", "/networks/name=default/subnets/0/dns"]);
    expect(map.stdout).toBe("- 127.0.0.53\n");
    const env = await bootstrap(["int", "director.yml", "--vars-env", "BT", "--path", "/instance_groups/0/jobs/1/properties"], { BT_director_name: "env-name", BT_director_port: "1234" });
    expect(yaml.load(env.stdout)).toEqual({ director: { name: "env-name", port: 1234 } });
  });

  it("leaves missing variables in place unless --var-errs is given, then lists them all without a stack", async () => {
    const lax = await bootstrap(["int", "director.yml"]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain("name: ((director_name))");
    const strict = await bootstrap(["int", "director.yml", "-v", "director_name=x", "--var-errs"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(
      "Error [VARIABLES_MISSING]: Expected to find variables: default_ca, director_port, internal_cidr, internal_gw, internal_ip, mbus_password, nats_password (manifest director.yml)",
    );
    expect(strict.stderr).not.toMatch(/\n\s+at /);
    expect(strict.stdout).toBe("");
  });

  it("--var-errs-unused names variables nobody used", async () => {
    const r = await bootstrap(["int", "director.yml", "-l", "vars.yml", "-v", "extra=1", "--vars-store", "creds.yml", "--var-errs-unused"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error [VARIABLES_UNUSED]: Expected to use variables: extra, jumpbox_ssh, vm_memory");
  });

  it("bad input gives coded errors that name the file and where", async () => {
    await writeFile(join(dir, "broken.yml"), "name: a\n  bad: indent\n");
    const broken = await bootstrap(["int", "broken.yml"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^Error \[YAML_INVALID\]: broken\.yml:2:6: invalid YAML/);
    const badVar = await bootstrap(["int", "director.yml", "-v", "novalue"]);
    expect(badVar.stderr).toContain("Error [USAGE]: -v/--var: Expected var 'novalue' to be in format 'name=value'");
    const badPath = await bootstrap(["int", "director.yml", "--path", "/nope"]);
    expect(badPath.stderr).toContain("Error [USAGE]: --path '/nope': Expected to find a map key 'nope' for path '/nope'");
    for (const r of [broken, badVar, badPath]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
