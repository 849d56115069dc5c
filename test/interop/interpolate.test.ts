/**
 * `bootstrap interpolate` against the real `bosh int` (bosh-cli v7.9.13): the same manifest,
 * ops files and variables through both, and stdout compared byte for byte. The corpus is our
 * own (test/interop/fixtures/interpolate/), written to cover the shapes bosh-deployment's
 * bosh.yml and ops files use; bosh-cli's current_manifest_sha is the SHA-512 of exactly these
 * bytes, so equality here is what makes a state file a no-op for either tool.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadBootstrapManifest } from "../../src/manifest/index.js";
import { peerPath, REPO_ROOT } from "./support/peers.js";

const FIXTURES = join(REPO_ROOT, "test/interop/fixtures/interpolate");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function bosh(args: readonly string[], env: Record<string, string> = {}, stdin = ""): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(peerPath("bosh"), ["int", ...args], { cwd: FIXTURES, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function bootstrap(args: readonly string[], env: Record<string, string> = {}, stdin = ""): Promise<Run> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(["interpolate", ...args], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([stdin]),
    env: { ...process.env, ...env },
    cwd: FIXTURES,
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const NET = ["-l", "vars/network.yml"];
const SECRETS = ["-l", "vars/secrets.yml"];
const ALL_OPS = ["-o", "ops/cpi.yml", "-o", "ops/jumpbox.yml", "-o", "ops/remove-hm.yml", "-o", "ops/proxy.yml", "-o", "ops/trusted-certs.yml", "-o", "ops/rsa-keys.yml", "-o", "ops/db-tls.yml", "-o", "ops/vsphere-keys.yml", "-o", "ops/scalars.yml"];
const PROXY = ["-v", "http_proxy=http://proxy.example.org:3128", "-v", "https_proxy=http://proxy.example.org:3128", "-v", "no_proxy=localhost,127.0.0.1,.internal"];
const VCENTER = ["-v", "vcenter_dc=dc-1", "-v", "vcenter_cluster=cluster-1", "-v", "vcenter_ip=10.0.0.2", "-v", "vcenter_user=administrator@vsphere.local", "-v", "vcenter_password=p4ss"];

/**
 * [name, args, env]: stdout and the exit code must be the same from both tools. On failure bosh
 * writes one empty line to stdout (its UI's closing newline) and the error to stderr; we write
 * nothing to stdout, so a failing case compares stdout without that line.
 */
const CASES: [string, string[], Record<string, string>?][] = [
  ["base manifest, no variables", ["director.yml"]],
  ["base + network vars", ["director.yml", ...NET]],
  ["base + every variable", ["director.yml", ...NET, ...SECRETS]],
  ["cpi ops (append, ?-paths, anchors)", ["director.yml", ...NET, "-o", "ops/cpi.yml"]],
  ["jumpbox ops (name= selectors, index paths, ssh variable)", ["director.yml", ...NET, "-o", "ops/jumpbox.yml"]],
  ["remove ops", ["director.yml", ...NET, ...SECRETS, "-o", "ops/remove-hm.yml"]],
  ["proxy ops with -v", ["director.yml", ...NET, "-o", "ops/proxy.yml", ...PROXY]],
  ["ipv6 ops (strings starting with [)", ["director.yml", ...NET, "-v", "internal_ip=fd00::6", "-o", "ops/ipv6.yml"]],
  ["trusted certs from --var-file", ["director.yml", ...NET, ...SECRETS, "-o", "ops/trusted-certs.yml", "--var-file", "trusted_ca_cert=vars/trusted-ca.pem"]],
  ["rsa and password variables left unresolved", ["director.yml", ...NET, "-o", "ops/rsa-keys.yml"]],
  ["db tls certificate variable", ["director.yml", ...NET, ...SECRETS, "-o", "ops/db-tls.yml"]],
  ["variables in keys, natural key order", ["director.yml", ...NET, "-o", "ops/vsphere-keys.yml", ...VCENTER]],
  ["scalar shapes", ["director.yml", ...NET, "-o", "ops/scalars.yml"]],
  ["every ops file", ["director.yml", ...NET, ...SECRETS, ...ALL_OPS, ...PROXY, ...VCENTER, "--var-file", "trusted_ca_cert=vars/trusted-ca.pem"]],
  ["multi-line strings", ["shapes/multiline.yml"]],
  ["long strings", ["shapes/folding.yml"]],
  ["key order and quoted keys", ["shapes/keys.yml"]],
  ["unicode", ["shapes/unicode.yml"]],
  ["random strings", ["shapes/random-strings.yml"]],
  ["strings that look like numbers, dates and times", ["shapes/look-alike-strings.yml"]],
  ["collections", ["shapes/collections.yml"]],
  ["anchors and merge keys", ["shapes/anchors.yml"]],
  ["variables of every shape", ["shapes/vars-shapes.yml", "-l", "vars/shapes.yml"]],
  ["variables given as YAML with -v", ["shapes/vars-shapes.yml", "-l", "vars/shapes.yml", "-v", "a_map={inner: {deep: 1.5}}", "-v", "a_list=[]", "-v", "a_numeric_string=12:30", "-v", "a_null=~"]],
  ["a bool interpolated into a string fails", ["shapes/vars-shapes.yml", "-l", "vars/shapes.yml", "-v", "a_string=on"]],
  ["a map variable without the key a nested path names fails", ["shapes/vars-shapes.yml", "-l", "vars/shapes.yml", "-v", "a_map={}"]],
  ["a replace with a null value fails", ["director.yml", "-o", "ops/null-value.yml"]],
  ["variables from --vars-env", ["shapes/vars-shapes.yml", "--vars-env", "IT"], { IT_a_string: "from-env", IT_a_map: "{inner: {deep: 0.5}}", IT_a_bool: "no" }],
  ["a root scalar", ["shapes/root-scalar.yml"]],
  ["a root list", ["shapes/root-list.yml"]],
  ["an empty document", ["shapes/empty.yml"]],
  ["the vars file itself", ["vars/secrets.yml"]],
  ["--path to a string", ["director.yml", ...NET, "--path", "/name"]],
  ["--path to a list", ["director.yml", ...NET, "--path", "/instance_groups/name=director/jobs"]],
  ["--path to an int", ["director.yml", "--path", "/instance_groups/name=director/properties/director/workers"]],
  ["--path to a bool", ["director.yml", "--path", "/instance_groups/0/properties/director/flush_arp"]],
  ["--path to a map", ["director.yml", ...SECRETS, "--path", "/cloud_provider/cert"]],
  ["--path to a multi-line string", ["director.yml", ...NET, ...SECRETS, "--path", "/cloud_provider/cert/ca"]],
  ["--path into a string fails", ["director.yml", ...SECRETS, "--path", "/cloud_provider/cert/ca"]],
  ["--path to an empty list", ["director.yml", "--path", "/networks/0/subnets/0/reserved"]],
  ["--path to an empty map", ["shapes/collections.yml", "--path", "/empty_map"]],
  ["--path to an optional missing key", ["director.yml", "--path", "/not_there?"]],
  ["--path to a kept-newlines string", ["shapes/multiline.yml", "--path", "/keep"]],
  ["--path to a string that needs quoting in YAML", ["director.yml", ...NET, "-o", "ops/scalars.yml", "--path", "/instance_groups/name=director/properties/scalars/str_yes"]],
  ["--path to a map of scalars", ["director.yml", ...NET, "-o", "ops/scalars.yml", "--path", "/instance_groups/name=director/properties/scalars"]],
  ["--path to a float", ["director.yml", ...NET, "-o", "ops/scalars.yml", "--path", "/instance_groups/name=director/properties/scalars/float_exp"]],
  ["--path to a null", ["director.yml", ...NET, "-o", "ops/scalars.yml", "--path", "/instance_groups/name=director/properties/scalars/null_tilde"]],
  ["--path to a missing key fails", ["director.yml", "--path", "/nope"]],
  ["--var-errs with missing variables fails", ["director.yml", ...NET, "--var-errs"]],
  ["--var-errs with every variable succeeds", ["director.yml", ...NET, ...SECRETS, "--var-errs"]],
  ["--var-errs-unused with an unused variable fails", ["director.yml", ...NET, "-v", "unused_one=1", "--var-errs-unused"]],
  ["--var-errs and --var-errs-unused together", ["director.yml", ...NET, "-v", "unused_one=1", "--var-errs", "--var-errs-unused"]],
];

describe("bootstrap interpolate prints the bytes bosh int prints", () => {
  it.each(CASES)("%s", async (_name, args, env = {}) => {
    const [theirs, ours] = await Promise.all([bosh(args, env), bootstrap(args, env)]);
    const expected = theirs.code === 0 ? theirs.stdout : theirs.stdout.replace(/^\n$/, "");
    expect({ code: ours.code, stdout: ours.stdout }).toEqual({ code: theirs.code, stdout: expected });
  });

  it("reads a manifest named - from standard input", async () => {
    const manifest = await readFile(join(FIXTURES, "director.yml"), "utf8");
    const args = ["-", ...NET, "-o", "ops/cpi.yml"];
    const [theirs, ours] = await Promise.all([bosh(args, {}, manifest), bootstrap(args, {}, manifest)]);
    expect({ code: ours.code, stdout: ours.stdout }).toEqual({ code: 0, stdout: theirs.stdout });
  });

  it("--var-errs / --var-errs-unused name the same variables", async () => {
    const args = ["director.yml", ...NET, "-v", "unused_one=1", "-v", "unused_two=2", "--var-errs", "--var-errs-unused"];
    const [theirs, ours] = await Promise.all([bosh(args), bootstrap(args)]);
    const names = (text: string) => [...text.matchAll(/\b(\w+_password|unused_\w+|\w+_ssl|\w+_tls|\w+_ca)\b/g)].map((m) => m[1]).sort();
    expect(names(ours.stderr)).toEqual(names(theirs.stderr));
  });
});

describe("a vars store written by either tool is used unchanged by the other", () => {
  // The last variable generated is a password, so the whole store is in sorted order (see below for a certificate last).
  const STORE_OPS = ["-o", "ops/jumpbox.yml", "-o", "ops/db-tls.yml", "-o", "ops/rsa-keys.yml"];
  /** The store's shape without the random values: names and keys, in the order written. */
  const skeleton = (text: string) => text.split("\n").filter((line) => /^\s*[a-z_]+:/.test(line)).map((line) => line.replace(/:.*/, ":"));

  it("bosh generates, bootstrap interpolates with it and reads it back byte for byte", async () => {
    const store = join(await mkdtemp(join(tmpdir(), "int-store-")), "creds.yml");
    const args = ["director.yml", ...NET, ...STORE_OPS, "--vars-store", store];
    const generated = await bosh(args);
    expect(generated.code).toBe(0);
    const written = await readFile(store, "utf8");
    const ours = await bootstrap(args);
    expect(ours.stdout).toBe(generated.stdout);
    expect(await readFile(store, "utf8")).toBe(written);
    expect((await bootstrap([store])).stdout).toBe(written);
  });

  it("bootstrap generates in bosh's bytes, bosh interpolates with it unchanged", async () => {
    const store = join(await mkdtemp(join(tmpdir(), "int-store-")), "creds.yml");
    const args = ["director.yml", ...NET, ...STORE_OPS, "--vars-store", store];
    const ours = await bootstrap(args);
    expect(ours.code).toBe(0);
    const written = await readFile(store, "utf8");
    const theirs = await bosh(args);
    expect(theirs.stdout).toBe(ours.stdout);
    expect(await readFile(store, "utf8")).toBe(written);
    expect((await bosh([store])).stdout).toBe(written);
  });

  it("bootstrap adds to a store bosh started, keeping bosh's bytes for the rest", async () => {
    const store = join(await mkdtemp(join(tmpdir(), "int-store-")), "creds.yml");
    expect((await bosh(["director.yml", ...NET, "--vars-store", store])).code).toBe(0);
    const args = ["director.yml", ...NET, ...STORE_OPS, "--vars-store", store];
    const ours = await bootstrap(args);
    expect(ours.code).toBe(0);
    const written = await readFile(store, "utf8");
    expect((await bosh([store])).stdout).toBe(written);
    expect((await bosh(args)).stdout).toBe(ours.stdout);
  });

  it("a hand-written store keeps its dotted names as they are, in both", async () => {
    const dir = await mkdtemp(join(tmpdir(), "int-store-"));
    await copyFile(join(FIXTURES, "vars/store-dotted.yml"), join(dir, "theirs.yml"));
    await copyFile(join(FIXTURES, "vars/store-dotted.yml"), join(dir, "ours.yml"));
    const theirs = await bosh(["shapes/store-user.yml", "--vars-store", join(dir, "theirs.yml")]);
    const ours = await bootstrap(["shapes/store-user.yml", "--vars-store", join(dir, "ours.yml")]);
    expect(ours.code).toBe(theirs.code);
    const masked = (text: string) => text.replace(/password: \S+/g, "password: <generated>");
    expect(masked(ours.stdout)).toBe(masked(theirs.stdout));
    expect(masked(await readFile(join(dir, "ours.yml"), "utf8"))).toBe(masked(await readFile(join(dir, "theirs.yml"), "utf8")));
  });

  it("a certificate generated last is written in bosh-cli's field order by both", async () => {
    const dir = await mkdtemp(join(tmpdir(), "int-store-"));
    const args = (store: string) => ["director.yml", ...NET, "-o", "ops/jumpbox.yml", "-o", "ops/rsa-keys.yml", "-o", "ops/db-tls.yml", "--vars-store", join(dir, store)];
    expect((await bosh(args("theirs.yml"))).code).toBe(0);
    expect((await bootstrap(args("ours.yml"))).code).toBe(0);
    const theirs = await readFile(join(dir, "theirs.yml"), "utf8");
    const ours = await readFile(join(dir, "ours.yml"), "utf8");
    expect(skeleton(ours)).toEqual(skeleton(theirs));
    expect(skeleton(ours).slice(-7)).toEqual(["postgres_server_tls:", "  certificate:", "  private_key:", "  ca:", "uaa_jwt_signing_key:", "  private_key:", "  public_key:"]);
  });
});

describe("current_manifest_sha", () => {
  it("is the SHA-512 of bosh int's output for examples/manifests/local.yml", async () => {
    const dir = await mkdtemp(join(tmpdir(), "int-sha-"));
    const manifest = join(REPO_ROOT, "examples/manifests/local.yml");
    // A fixed vars file standing in for the store, so both tools see the same values and neither generates.
    const store = join(dir, "creds.yml");
    const first = await bosh([manifest, "-v", "director_name=sha-test", "--vars-store", store]);
    expect(first.code).toBe(0);
    const vars = join(dir, "fixed-vars.yml");
    await copyFile(store, vars);
    const theirs = await bosh([manifest, "-v", "director_name=sha-test", "-l", vars]);
    const loaded = await loadBootstrapManifest({ manifestPath: manifest, opsFiles: [], varFlags: { vars: { director_name: "sha-test" }, varsFiles: [vars] }, env: {}, cwd: dir, generation: "dry-run" });
    expect(loaded.sha512).toBe(createHash("sha512").update(theirs.stdout).digest("hex"));
  });
});
