/**
 * What users see when things go wrong, run through the built CLI on the local provider: a bad
 * manifest, a release whose digest does not match (served over https from loopback), and an
 * agent that never answers. Each fails with a coded error, no stack, and nothing leaked.
 */
import { createReadStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTls } from "../director-release/tls-fixture.js";
import { processesMentioning } from "./support/director.js";
import { exampleManifestAt, makeHome, repoRoot, runCli } from "./support/cli.js";

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe("failures are clear and leave nothing behind", () => {
  let home: string;
  let manifest: string;
  const common = (extra: string[] = []): string[] => [
    manifest,
    "-v",
    "director_name=failing",
    "--vars-store",
    join(home, "creds.yml"),
    "--state",
    join(home, "state.json"),
    ...extra,
  ];

  beforeAll(async () => {
    home = await makeHome("e2e-failures");
    manifest = await exampleManifestAt(home, 12);
  });

  afterAll(async () => {
    await runCli(["delete", ...common()], { home });
  });

  it("an invalid manifest names the file and every bad path, exits 1, shows no stack", async () => {
    const ops = join(home, "break.yml");
    await writeFile(
      ops,
      [
        "- type: replace",
        "  path: /instance_groups/name=bosh/networks/0/name",
        "  value: nowhere",
        "- type: replace",
        "  path: /disk_pools/name=disks/disk_size",
        "  value: 0",
      ].join("\n"),
    );
    const r = await runCli(["deploy", ...common(["-o", ops])], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("MANIFEST_INVALID");
    expect(r.stderr).toContain(manifest);
    expect(r.stderr).toContain("nowhere");
    expect(r.stderr).toMatch(/disk_pools\[0\]\.disk_size/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  describe("a release served over https with a wrong digest", () => {
    let server: Server;
    let url: string;
    let caFile: string;

    beforeAll(async () => {
      const tls = makeTls("127.0.12.1");
      caFile = join(home, "ca.pem");
      await writeFile(caFile, tls.ca);
      const tarball = join(repoRoot, "artifacts", "bootstrap-director-release.tgz");
      server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
        res.writeHead(200, { "content-type": "application/gzip" });
        createReadStream(tarball).pipe(res);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.12.1", resolve));
      url = `https://127.0.12.1:${(server.address() as AddressInfo).port}/bootstrap-director-release.tgz`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it("fails with DIGEST_MISMATCH before anything is created", async () => {
      const ops = join(home, "remote-release.yml");
      await writeFile(
        ops,
        [
          "- type: replace",
          "  path: /releases/name=bootstrap-director/url",
          `  value: ${url}`,
          "- type: replace",
          "  path: /releases/name=bootstrap-director/sha1?",
          `  value: sha256:${"0".repeat(64)}`,
        ].join("\n"),
      );
      const r = await runCli(["deploy", ...common(["-o", ops])], { home, env: { NODE_EXTRA_CA_CERTS: caFile } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("DIGEST_MISMATCH");
      expect(r.stderr).toContain(url);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr).not.toContain("Creating VM");
      expect(r.stderr).not.toContain("Uploading stemcell");
      const state = JSON.parse(await readFile(join(home, "state.json"), "utf8").catch(() => "{}")) as { current_vm_cid?: string; stemcells?: unknown[] | null };
      expect(state.current_vm_cid ?? "").toBe("");
      expect(state.stemcells ?? []).toEqual([]);
    });
  });

  it("a job that does not start fails within update_watch_time, showing the tail of its logs", async () => {
    const ops = join(home, "broken-job.yml");
    await writeFile(
      ops,
      [
        "- type: replace",
        "  path: /instance_groups/name=bosh/properties/director/node?",
        "  value: /nonexistent/node",
        "- type: replace",
        "  path: /update?/update_watch_time",
        "  value: 1000-4000",
      ].join("\n"),
    );
    const r = await runCli(["deploy", ...common(["-o", ops])], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("JOB_NOT_RUNNING");
    expect(r.stderr).toMatch(/failing processes: director/);
    expect(r.stderr).toMatch(/==> director\/\S+\.log <==/);
    expect(r.stderr).toContain("/nonexistent/node");
    const state = JSON.parse(await readFile(join(home, "state.json"), "utf8")) as { current_manifest_sha: string };
    expect(state.current_manifest_sha).toBe("");
  });

  it("an agent that never answers fails with the layer that failed, and delete cleans up", async () => {
    const ops = join(home, "wrong-mbus-port.yml");
    const text = await readFile(manifest, "utf8");
    const mbus = /^\s*mbus: (https:\/\/\S+:6868)$/m.exec(text)?.[1];
    expect(mbus).toBeDefined();
    await writeFile(ops, ["- type: replace", "  path: /cloud_provider/mbus", `  value: ${mbus?.replace(":6868", ":6999")}`].join("\n"));
    const r = await runCli(["deploy", ...common(["-o", ops, "--agent-timeout", "4"])], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("AGENT_UNREACHABLE");
    expect(r.stderr).toMatch(/nothing accepted a connection to the mbus address/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const state = JSON.parse(await readFile(join(home, "state.json"), "utf8")) as { current_vm_cid: string; current_manifest_sha: string };
    expect(state.current_vm_cid).not.toBe("");
    expect(state.current_manifest_sha).toBe("");

    const cleanup = await runCli(["delete", ...common(["-o", ops])], { home });
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(cleanup.stderr).toContain("did not answer");
    expect(await processesMentioning(home)).toEqual([]);
  });
});
