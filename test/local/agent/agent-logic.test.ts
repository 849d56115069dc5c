// Pure pieces of the agent: digests, drain arguments, spec normalisation, log globs, flags, paths.
import { describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeSpec, resolveNetworks, specJobs } from "../../../src/local/agent/apply/apply-spec.js";
import { parseAgentArgs } from "../../../src/local/agent/cli-args.js";
import { strongestDigest, verifyFileDigest } from "../../../src/local/agent/digest.js";
import { globToRegExp } from "../../../src/local/agent/fetch-logs.js";
import { drainParams } from "../../../src/local/agent/job-scripts.js";
import { AgentPaths } from "../../../src/local/agent/paths.js";
import { defaultIp } from "../../../src/local/agent/settings.js";

describe("multi-digest", () => {
  it("picks the strongest algorithm", () => {
    expect(strongestDigest("abc")).toEqual({ algorithm: "sha1", hex: "abc" });
    expect(strongestDigest("sha1:abc;sha512:DEF;sha256:123")).toEqual({ algorithm: "sha512", hex: "def" });
    expect(() => strongestDigest("")).toThrow("no digest algorithm found. Supported algorithms: sha1, sha256, sha512");
  });

  it("verifies files and names both digests on mismatch", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agent-digest-"));
    try {
      const file = join(dir, "f");
      await writeFile(file, "hello");
      await verifyFileDigest(file, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
      await verifyFileDigest(file, "sha1:0000;sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
      await expect(verifyFileDigest(file, "sha256:00")).rejects.toThrow(
        "Expected stream to have digest 'sha256:00' but was 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("drainParams", () => {
  const current = { configuration_hash: "h1", persistent_disk: 1024, packages: { a: { name: "a", sha1: "1" }, b: { name: "b", sha1: "2" } } };
  it("shuts down with hash_unchanged", () => {
    expect(drainParams("shutdown", current, undefined)).toMatchObject({ jobChange: "job_shutdown", hashChange: "hash_unchanged", jobState: '{"persistent_disk":1024}' });
  });
  it("describes an update", () => {
    const next = { configuration_hash: "h2", persistent_disk: 2048, packages: { a: { name: "a", sha1: "1" }, b: { name: "b", sha1: "3" } } };
    expect(drainParams("update", current, next)).toEqual({
      jobChange: "job_unchanged", hashChange: "hash_changed", updatedPackages: ["b"], jobState: '{"persistent_disk":1024}', jobNextState: '{"persistent_disk":2048}',
    });
    expect(drainParams("update", {}, next)).toMatchObject({ jobChange: "job_new", hashChange: "hash_new" });
  });
  it("rejects status", () => {
    expect(() => drainParams("status", current, undefined)).toThrow("Unexpected call with drain type 'status'");
  });
});

describe("apply spec", () => {
  it("keeps only the logging property and template names and versions", () => {
    const spec = normalizeSpec({
      properties: { logging: { max_log_file_size: "5M" }, password: "x" },
      job: { name: "j", templates: [{ name: "a", version: "1", sha1: "s", blobstore_id: "b" }] },
      rendered_templates_archive: { blobstore_id: "r", sha1: "s" },
    });
    expect(spec.properties).toEqual({ logging: { max_log_file_size: "5M" } });
    expect(specJobs(spec)).toEqual([{ name: "a", version: "1" }]);
    expect(specJobs(normalizeSpec({ job: { templates: [{ name: "a", version: "1" }] } }))).toEqual([]);
  });
  it("takes dynamic network addresses from the settings", () => {
    const spec = resolveNetworks({ networks: { net: { type: "dynamic" } } }, { net: { type: "dynamic", ip: "10.0.0.9", netmask: "255.0.0.0", gateway: "10.0.0.1" } });
    expect(spec.networks).toEqual({ net: { type: "dynamic", ip: "10.0.0.9", netmask: "255.0.0.0", gateway: "10.0.0.1" } });
  });
});

describe("log filters", () => {
  it("match like globs", () => {
    expect(globToRegExp("**/*").test("director/director.log")).toBe(true);
    expect(globToRegExp("**/*").test("top.log")).toBe(true);
    expect(globToRegExp("director/*.log").test("director/a.log")).toBe(true);
    expect(globToRegExp("director/*.log").test("director/x/a.log")).toBe(false);
  });
});

describe("flags, paths and settings", () => {
  it("parses the bosh-agent command line", () => {
    expect(parseAgentArgs(["-P", "ubuntu", "-C", "/var/vcap/bosh/agent.json"])).toEqual({ baseDir: "/var/vcap", configPath: "/var/vcap/bosh/agent.json", platform: "ubuntu", supervisor: "monit" });
    expect(parseAgentArgs(["-b", "/tmp/b", "-C", "c.json", "-M", "dummy", "--no-alerts"]).baseDir).toBe("/tmp/b");
    expect(() => parseAgentArgs(["-b", "/tmp"])).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
  it("maps /var/vcap paths under another base dir", () => {
    expect(new AgentPaths("/tmp/b").mapVcapPath("/var/vcap/bosh/x.json")).toBe("/tmp/b/bosh/x.json");
    expect(new AgentPaths("/var/vcap").mapVcapPath("/var/vcap/bosh/x.json")).toBe("/var/vcap/bosh/x.json");
    expect(new AgentPaths("/tmp/b").mapVcapPath("/var/vcapx/y")).toBe("/var/vcapx/y");
  });
  it("finds the default network's IP", () => {
    expect(defaultIp({ networks: { a: { ip: "10.0.0.1" }, b: { ip: "10.0.0.2", default: ["dns", "gateway"] } } })).toBe("10.0.0.2");
    expect(defaultIp({ networks: { a: { ip: "10.0.0.1" } } })).toBe("10.0.0.1");
  });
});
