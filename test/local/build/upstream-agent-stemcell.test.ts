/**
 * The upstream-agent stemcell variant: a real stemcell tarball whose image's bosh/bin/bosh-agent
 * runs the given executable on the dummy platform, unprivileged when asked. The interop suite
 * boots it with the real binary; here a stand-in binary shows the wrapper's exact command line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildUpstreamAgentStemcell } from "../../../src/local/build/upstream-agent-stemcell.js";

function extract(tarball: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "upstream-stemcell-"));
  writeFileSync(join(dir, "stemcell.tgz"), tarball);
  execFileSync("tar", ["-xzf", join(dir, "stemcell.tgz"), "-C", dir]);
  execFileSync("mkdir", [join(dir, "vcap")]);
  execFileSync("tar", ["-xzf", join(dir, "image"), "-C", join(dir, "vcap")]);
  return dir;
}

// Prints its arguments instead of being an agent.
const FAKE_AGENT = Buffer.from('#!/usr/bin/env bash\necho "args: $*"\n');

describe("the upstream-agent stemcell", () => {
  it("carries the binary beside a wrapper that runs it on the dummy platform with the CPI's flags", () => {
    const { version, tarball } = buildUpstreamAgentStemcell({ baseVersion: "0.1.0", agentBinary: FAKE_AGENT });
    const dir = extract(tarball);
    const manifest = yaml.load(readFileSync(join(dir, "stemcell.MF"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ version, operating_system: "local", api_version: 3 });
    expect(statSync(join(dir, "vcap/bosh/bin/bosh-agent-upstream")).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(join(dir, "vcap/bosh/agent.json"), "utf8"))).toMatchObject({
      Infrastructure: { Settings: { Sources: [{ Type: "File", SettingsPath: "/var/vcap/bosh/warden-cpi-agent-env.json" }] } },
    });
    const out = execFileSync(join(dir, "vcap/bosh/bin/bosh-agent"), ["-C", "/var/vcap/bosh/agent.json"], { encoding: "utf8" });
    expect(out.trim()).toBe(`args: -P dummy -M dummy -b ${join(dir, "vcap")} -C /var/vcap/bosh/agent.json`);
  });

  it("drops root with setpriv when given a uid, after handing it the base dir and the settings file", () => {
    const { tarball } = buildUpstreamAgentStemcell({ baseVersion: "0.1.0", agentBinary: FAKE_AGENT, runAs: { uid: 27780, gid: 27781 } });
    const wrapper = readFileSync(join(extract(tarball), "vcap/bosh/bin/bosh-agent"), "utf8");
    expect(wrapper).toContain('chown 27780:27781 "${base}" "${base}/bosh" "/var/vcap/bosh/warden-cpi-agent-env.json"');
    expect(wrapper).toContain('exec setpriv --reuid=27780 --regid=27781 --clear-groups -- "${here}/bosh-agent-upstream" -P dummy -M dummy -b "${base}" "$@"');
  });

  it("is reproducible", () => {
    const a = buildUpstreamAgentStemcell({ baseVersion: "0.1.0", agentBinary: FAKE_AGENT });
    const b = buildUpstreamAgentStemcell({ baseVersion: "0.1.0", agentBinary: FAKE_AGENT });
    expect(b.tarball.equals(a.tarball)).toBe(true);
  });
});
