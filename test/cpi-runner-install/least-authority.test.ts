/**
 * What the operator's environment leaks to the processes we start: a real CPI release is
 * installed (its packaging script runs) and called (its bin/cpi runs) with canary secrets in our
 * environment, and both dump `env -0` to a file. Only the allow-listed variables (see
 * src/cpi-runner/child-env.ts) and what the protocol sets may arrive.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { CpiClient, installCpi } from "../../src/cpi-runner/index.js";
import { extractRelease } from "../../src/director-release/index.js";
import { buildRelease, type FixtureJob } from "../director-release/release-fixtures.js";

const CANARIES: Record<string, string> = {
  AWS_SECRET_ACCESS_KEY: "canary-aws-secret",
  BOSH_CLIENT_SECRET: "canary-bosh-client-secret",
  BOSH_CLIENT: "canary-bosh-client",
  // what `--vars-env VAR` reads: VAR_admin_password
  VAR_admin_password: "canary-vars-env",
  GITHUB_TOKEN: "canary-github-token",
  LANG: "canary-lang",
};
const PASSED: Record<string, string> = {
  HOME: "/home/operator",
  http_proxy: "http://proxy.example:3128",
  HTTPS_PROXY: "http://proxy.example:3129",
  no_proxy: "localhost,127.0.0.1",
};
// Variables bash itself exports to what it runs.
const SHELL_OWN = new Set(["PWD", "SHLVL", "_", "OLDPWD"]);
const INHERITABLE = new Set(["PATH", "HOME", "TMPDIR", "LD_LIBRARY_PATH", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"]);

const DUMP_JOB: FixtureJob = {
  name: "dump_cpi",
  spec: "---\nname: dump_cpi\ntemplates:\n  cpi.erb: bin/cpi\npackages: [dumper]\nproperties:\n  dump_to: {}\n",
  templates: {
    "cpi.erb": [
      "#!/bin/bash",
      "env -0 > <%= p('dump_to') %>",
      "cat >/dev/null",
      'echo \'{"result":{"api_version":2,"stemcell_formats":["test"]},"error":null,"log":""}\'',
      "",
    ].join("\n"),
  },
};

function readDump(path: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of readFileSync(path, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return vars;
}

let root: string;
const saved = new Map<string, string | undefined>();
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "least-authority-"));
  for (const [name, value] of Object.entries({ ...CANARIES, ...PASSED, TMPDIR: root })) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
});
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved.clear();
});

function expectOnlyAllowed(vars: Map<string, string>, protocol: Record<string, string>): void {
  const unexpected = [...vars.keys()].filter((name) => !INHERITABLE.has(name) && !SHELL_OWN.has(name) && !(name in protocol));
  expect(unexpected).toEqual([]);
  for (const value of Object.values(CANARIES)) expect([...vars.values()]).not.toContain(value);
  expect(vars.get("PATH")).toBe(process.env["PATH"]);
  expect(vars.get("TMPDIR")).toBe(root);
  for (const [name, value] of Object.entries({ ...PASSED, ...protocol })) expect(vars.get(name)).toBe(value);
}

describe("least authority for children", () => {
  it("a packaging script and a CPI call see only PATH, HOME, TMPDIR, proxies and the BOSH_* the protocol sets", async () => {
    // given: a release whose packaging script and bin/cpi dump their environment
    const tarball = await buildRelease(join(root, "build"), {
      name: "dump-cpi",
      version: "1",
      jobs: [DUMP_JOB],
      packages: [{ name: "dumper", files: { packaging: 'env -0 > "${BOSH_INSTALL_TARGET}/packaging-env"\n' } }],
    });
    const release = await extractRelease(tarball, join(root, "extracted"));
    const installationDir = join(root, "installation");
    const cpiDump = join(root, "cpi-env");

    // when: installed (compiling the package) and called
    const installation = await installCpi({
      releases: [release],
      templates: [{ name: "dump_cpi", release: "dump-cpi" }],
      properties: { dump_to: cpiDump },
      deploymentName: "bosh",
      installationDir,
      logger: silentLogger,
    });
    const client = new CpiClient({ installation, directorUuid: "director-1", journalDir: join(root, "journal"), logger: silentLogger });
    await client.info();

    // then
    const packagesDir = join(installationDir, "packages");
    const packaging = readDump(join(packagesDir, "dumper", "packaging-env"));
    expectOnlyAllowed(packaging, {
      BOSH_COMPILE_TARGET: join(installationDir, "tmp", "compile-dumper"),
      BOSH_INSTALL_TARGET: join(packagesDir, "dumper"),
      BOSH_PACKAGE_NAME: "dumper",
      BOSH_PACKAGE_VERSION: release.packages[0]?.fingerprint ?? "",
      BOSH_PACKAGES_DIR: packagesDir,
    });
    expectOnlyAllowed(readDump(cpiDump), { BOSH_PACKAGES_DIR: packagesDir, BOSH_JOBS_DIR: join(installationDir, "jobs") });
  });
});
