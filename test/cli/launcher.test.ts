/**
 * The built bin run as an installed command is (sh, then node): the shell line moves
 * NODE_EXTRA_CA_CERTS aside so that Node does not parse the file at start-up, and a download
 * still trusts it. Needs the build (npm test builds first).
 */
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTls } from "../director-release/tls-fixture.js";
import { cliPath, exampleManifestAt, repoRoot } from "../e2e/support/cli.js";

const IP = "127.0.61.1";
const NODE_WARNING = /Ignoring extra certs/;

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "bootstrap-launcher-"));
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** As a shell runs an installed command: the file itself, through its hashbang line. */
const runBin = (args: string[], env: Record<string, string>) =>
  execa(cliPath, args, { cwd: home, env: { HOME: home, PATH: process.env["PATH"] ?? "", ...env }, extendEnv: false, reject: false, stdin: "ignore" });

describe("the bin's launcher", () => {
  it("keeps Node from reading NODE_EXTRA_CA_CERTS at start-up (node on the same file does)", async () => {
    const env = { NODE_EXTRA_CA_CERTS: join(home, "no-such-ca.pem") };
    const launched = await runBin(["--version"], env);
    expect(launched.exitCode, launched.stderr).toBe(0);
    expect(launched.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(launched.stderr).not.toMatch(NODE_WARNING);
    // The control: the same file and variable, with node reading the file as it starts.
    const direct = await execa(process.execPath, [cliPath, "--version"], { cwd: home, env: { HOME: home, ...env }, extendEnv: false, reject: false });
    expect(direct.stderr).toMatch(NODE_WARNING);
  });

  it("passes every argument through unchanged and returns the CLI's exit code", async () => {
    const r = await runBin(["deploy", join(home, "a file with spaces.yml"), "-v", "x=$HOME *"], {});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("a file with spaces.yml");
  });

  describe("a release downloaded over https from a server whose CA only NODE_EXTRA_CA_CERTS names", () => {
    let server: Server;
    let url: string;
    let caFile: string;
    const tarball = join(repoRoot, "artifacts", "bootstrap-director-release.tgz");

    beforeAll(async () => {
      const tls = makeTls(IP);
      caFile = join(home, "ca.pem");
      await writeFile(caFile, tls.ca);
      server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
        res.writeHead(200, { "content-type": "application/gzip" });
        createReadStream(tarball).pipe(res);
      });
      await new Promise<void>((resolve) => server.listen(0, IP, resolve));
      url = `https://${IP}:${(server.address() as AddressInfo).port}/bootstrap-director-release.tgz`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const planWith = async (env: Record<string, string>, cache: string) => {
      const manifest = await exampleManifestAt(home, 61);
      const ops = join(home, "remote-release.yml");
      const sha1 = createHash("sha1").update(readFileSync(tarball)).digest("hex");
      await writeFile(ops, ["- type: replace", "  path: /releases/name=bootstrap-director/url", `  value: ${url}`, "- type: replace", "  path: /releases/name=bootstrap-director/sha1?", `  value: ${sha1}`].join("\n"));
      const flags = ["-o", ops, "-v", "director_name=launcher", "--vars-store", join(home, "creds.yml"), "--state", join(home, "state.json")];
      return runBin(["plan", manifest, ...flags], { BOOTSTRAP_HOME: join(home, cache), ...env });
    };

    it("is trusted: the launcher hands the file to the download", async () => {
      const r = await planWith({ NODE_EXTRA_CA_CERTS: caFile }, "trusting");
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Upload stemcell/);
    });

    it("is refused without it, so the trust above came from the file", async () => {
      const r = await planWith({}, "untrusting");
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("TLS verification failed");
    });
  });
});
