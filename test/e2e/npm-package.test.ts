/**
 * `bootstrap` as an npm package, the way a user gets it: `npm pack` of a copy of this checkout
 * (its `prepare` builds the CLI bundle and the local provider's artefacts), the tarball installed
 * globally into a temporary prefix, and the installed `bootstrap` command run from that prefix's
 * bin: --version, --help, a plan of the shipped example at its documented path, a deploy and
 * delete of that example whose every `--json` event is checked against the published schema, and
 * the library: the README's inception script, type-checked against the shipped types and run.
 * Nothing of the checkout is used after packing but the TypeScript tools the script needs.
 */
import { access, cp, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directorInfo, processesMentioning } from "./support/director.js";
import { exampleManifest, exampleManifestAt, makeHome, repoRoot } from "./support/cli.js";
import { checkEventLines } from "../support/events-schema.js";

const THIRD_OCTET = 150;
const ADDRESS = `127.0.${THIRD_OCTET}.10`;
const PACKAGE_NAME = "bosh-bootstrap";

/** What `npm pack` reads besides the `files` it ships: the build's inputs. */
const PACK_INPUTS = ["package.json", "package-lock.json", "tsconfig.json", "README.md", "src", "examples", "schemas"];

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

describe("the npm package, installed globally", () => {
  let work: string;
  let prefix: string;
  let installed: string;
  let home: string;
  let manifest: string;
  let varsStore: string;
  let statePath: string;
  let inception: string;
  const version = async (): Promise<string> => (JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
  // A user's shell: the prefix's bin first, then node and the system's tools; nothing of ours.
  let path: string;
  const bootstrap = async (args: string[]): Promise<Run> => {
    const r = await execa("bootstrap", args, { cwd: home, env: { HOME: home, PATH: path, TMPDIR: tmpdir() }, extendEnv: false, reject: false, stdin: "ignore" });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const flags = (...extra: string[]): string[] => [manifest, "-v", "director_name=npm", "--vars-store", varsStore, "--state", statePath, ...extra];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "bootstrap-npm-package-"));
    prefix = join(work, "prefix");
    home = await makeHome("e2e-npm-package");
    varsStore = join(home, "creds.yml");
    statePath = join(home, "state.json");
  });

  afterAll(async () => {
    if (manifest !== undefined) await bootstrap(["delete", ...flags()]);
    if (inception !== undefined) {
      await bootstrap(["delete", manifest, "-v", "director_name=npm", "--vars-store", join(inception, "creds.yml"), "--state", join(inception, "state.json")]);
    }
    expect(await processesMentioning(home)).toEqual([]);
  });

  it("npm pack builds the bundle and the local provider's artefacts and ships them with the example", async () => {
    // A copy, so packing neither rebuilds nor empties the checkout's dist/ under other test runs.
    const source = join(work, "source");
    await mkdir(source);
    for (const entry of PACK_INPUTS) await cp(join(repoRoot, entry), join(source, entry), { recursive: true });
    await symlink(join(repoRoot, "node_modules"), join(source, "node_modules"));
    const packs = join(work, "packs");
    await mkdir(packs);

    const packed = await execa("npm", ["pack", "--json", "--pack-destination", packs], { cwd: source, reject: false });
    expect(packed.exitCode, packed.stderr).toBe(0);

    const tarballs = await readdir(packs);
    expect(tarballs).toEqual([`${PACKAGE_NAME}-${await version()}.tgz`]);
    const listing = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")).trim()) as [{ files: { path: string }[] }];
    const files = listing[0].files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "dist/bundle/bootstrap.js",
        "dist/bundle/ruby-process-main.js",
        "examples/manifests/local.yml",
        "artifacts/bootstrap-local-cpi-release.tgz",
        "artifacts/bootstrap-local-stemcell.tgz",
        "artifacts/bootstrap-director-release.tgz",
        "schemas/events-v1.json",
        "dist/bundle/index.js",
        "dist/types/index.d.ts",
        "examples/inception.ts",
      ]),
    );
    // Only the bundle, the library's types, the artefacts, the examples and the events schema: no tsc output, sources, source maps or tests.
    expect(
      files.filter((f) => !/^(dist\/bundle\/[^/]+\.js|dist\/types\/index\.d\.ts|artifacts\/[^/]+\.tgz|examples\/.+|schemas\/[^/]+\.json|package\.json|README\.md)$/.test(f)),
    ).toEqual([]);
    const { size } = await stat(join(packs, tarballs[0] as string));
    process.stderr.write(`npm-package: ${tarballs[0]} is ${(size / 1024).toFixed(0)} KiB with ${files.length} files\n`);

    const started = Date.now();
    const install = await execa("npm", ["install", "--global", "--prefix", prefix, join(packs, tarballs[0] as string)], { cwd: work, reject: false });
    expect(install.exitCode, install.stderr).toBe(0);
    process.stderr.write(`npm-package: npm install --global took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    path = [join(prefix, "bin"), dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");
    installed = join(prefix, "lib", "node_modules", PACKAGE_NAME);
  });

  it("bootstrap --version and --help work from the prefix's bin", async () => {
    const v = await bootstrap(["--version"]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(await version());

    const help = await bootstrap(["--help"]);
    expect(help.exitCode, help.stderr).toBe(0);
    for (const command of ["deploy", "delete", "plan", "interpolate", "env", "stop", "start", "state"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
  });

  it("the shipped example, at its installed path, finds the shipped artefacts", async () => {
    const shipped = join(installed, "examples", "manifests", "local.yml");
    expect(await readFile(shipped, "utf8")).toBe(await readFile(exampleManifest, "utf8"));
    // plan resolves and reads every release and the stemcell the example names (relative file:// URLs) and writes nothing.
    const plan = await bootstrap(["plan", shipped, "-v", "director_name=npm", "--vars-store", join(home, "plan-creds.yml"), "--state", join(home, "plan-state.json")]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("this would be a first deploy");
    expect(plan.stdout).toMatch(/Upload stemcell 'bootstrap-local-stemcell\//);
  });

  it("deploys the example with the installed package's artefacts, and deletes it; stops, starts and names it (env); every --json event is valid against schemas/events-v1.json", async () => {
    // The example moved to this file's addresses (so e2e files can run side by side), its
    // artefacts still those the package installed.
    const moved = await exampleManifestAt(home, THIRD_OCTET);
    const checkoutArtifacts = `file://${join(repoRoot, "artifacts")}/`;
    const text = await readFile(moved, "utf8");
    expect(text).toContain(checkoutArtifacts);
    manifest = join(home, "npm-local.yml");
    await writeFile(manifest, text.replaceAll(checkoutArtifacts, `file://${join(installed, "artifacts")}/`));
    const seen = new Set<string>();
    const jsonRun = async (command: string): Promise<Run> => {
      const r = await bootstrap([command, ...flags("--json")]);
      expect(r.exitCode, r.stderr).toBe(0);
      const { events, problems } = checkEventLines(r.stdout);
      expect(problems, command).toEqual([]);
      expect(events.at(-1)?.type, command).toBe("result");
      for (const e of events) seen.add(e.type);
      return r;
    };

    await jsonRun("plan");
    await jsonRun("deploy");
    expect(await directorInfo(ADDRESS, varsStore)).toMatchObject({ name: "npm" });
    await jsonRun("plan");
    await jsonRun("deploy");
    const stopped = await jsonRun("stop");
    expect(stopped.stdout).toMatch(/"type":"result","summary":\{"statePath":".*","instance":"bosh\/0","vmCid":"/);
    await jsonRun("start");
    const reach = await bootstrap(["env", ...flags("--json")]);
    expect(reach.exitCode, reach.stderr).toBe(0);
    expect(JSON.parse(reach.stdout)).toMatchObject({ BOSH_ENVIRONMENT: `https://${ADDRESS}:25555` });
    expect(await directorInfo(ADDRESS, varsStore)).toMatchObject({ name: "npm" });

    const deleted = await jsonRun("delete");
    expect(deleted.stdout).toContain('"type":"result","summary":{"deleted":true');
    await expect(access(statePath)).rejects.toThrow();
    expect(await processesMentioning(home)).toEqual([]);
    // A first deploy, a no-op, stop, start and a delete go through every kind of event but warnings and downloads.
    expect([...seen]).toEqual(
      expect.arrayContaining(["compile-package", "cpi-call", "info", "plan-step", "result", "stage-finished", "stage-started", "step-finished", "step-started"]),
    );
  });

  it("the library: the README's inception script type-checks against the shipped types (no skipLibCheck) and deploys, reaches and deletes the example", async () => {
    // A consumer's project: the installed package in its node_modules, the script from the package's examples.
    inception = join(work, "inception");
    await mkdir(join(inception, "node_modules"), { recursive: true });
    await symlink(installed, join(inception, "node_modules", PACKAGE_NAME));
    await cp(join(installed, "examples", "inception.ts"), join(inception, "inception.ts"));
    await writeFile(join(inception, "package.json"), '{ "type": "module", "private": true }\n');
    const compilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: false,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      lib: ["ES2023"],
      types: ["node"],
      typeRoots: [join(repoRoot, "node_modules", "@types")],
    };
    await writeFile(join(inception, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["inception.ts"] }));
    const tsc = await execa(join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", inception], { reject: false });
    expect(tsc.exitCode, tsc.stdout).toBe(0);

    const script = async (teardown: boolean): Promise<Run> => {
      const env = { HOME: home, PATH: path, TMPDIR: tmpdir(), ...(teardown ? { TEARDOWN: "1" } : {}) };
      const r = await execa(join(repoRoot, "node_modules", ".bin", "tsx"), ["inception.ts", manifest, "npm"], { cwd: inception, env, extendEnv: false, reject: false, stdin: "ignore" });
      expect(r.exitCode, r.stderr).toBe(0);
      // Everything on stderr is the script's own: the library printed nothing.
      for (const line of r.stderr.split("\n")) expect(line).toMatch(/^(\[\d+\/\d+\] .+|deployed: .+|no changes|warning: .+)$/);
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    const first = await script(false);
    expect(first.stderr).toMatch(/^\[1\/\d+\] Upload stemcell/m);
    expect(JSON.parse(first.stdout)).toEqual({ url: `https://${ADDRESS}:25555`, ca: expect.stringContaining("BEGIN CERTIFICATE") });
    expect(await directorInfo(ADDRESS, join(inception, "creds.yml"))).toMatchObject({ name: "npm" });

    const second = await script(true);
    expect(second.stderr).toContain("no changes");
    expect(second.stderr).toMatch(/^\[\d+\/\d+\] Delete VM/m);
    await expect(access(join(inception, "state.json"))).rejects.toThrow();
    expect(await processesMentioning(home)).toEqual([]);
  });
});
