/**
 * A stemcell image carrying a stand-in agent, for tests of the CPI alone (the CPI starts
 * whatever agent the image carries). The stand-in records what it saw inside the VM, then
 * serves plain HTTP on the VM's IP at port 6868 answering "agent <agent_id>" so forwarding
 * through the VM's SSH server can be checked.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const STAND_IN_AGENT = `#!/usr/bin/env bash
set -eu
echo "$*" > /var/vcap/agent-args
cp /var/vcap/bosh/warden-cpi-agent-env.json /var/vcap/agent-saw-settings.json
exec node -e '
  const settings = JSON.parse(require("fs").readFileSync("/var/vcap/bosh/warden-cpi-agent-env.json", "utf8"));
  const ip = Object.values(settings.networks)[0].ip;
  require("http").createServer((q, s) => s.end("agent " + settings.agent_id)).listen(6868, ip);
'
`;

export function fakeStemcellImage(): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-stemcell-"));
  const root = join(dir, "root");
  mkdirSync(join(root, "bosh", "bin"), { recursive: true });
  writeFileSync(join(root, "bosh", "bin", "bosh-agent"), STAND_IN_AGENT);
  chmodSync(join(root, "bosh", "bin", "bosh-agent"), 0o755);
  writeFileSync(join(root, "bosh", "agent.json"), "{}\n");
  const image = join(dir, "image.tgz");
  execFileSync("tar", ["-czf", image, "-C", root, "."]);
  return image;
}

export function manualNetwork(ip: string): Record<string, unknown> {
  return {
    default: {
      type: "manual",
      ip,
      netmask: "255.255.255.0",
      gateway: ip.replace(/\.\d+$/, ".1"),
      default: ["dns", "gateway"],
      cloud_properties: {},
    },
  };
}
