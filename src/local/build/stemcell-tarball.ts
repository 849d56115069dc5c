/**
 * The local stemcell: stemcell.MF + image, where image is a gzip tarball of a VM's initial
 * /var/vcap: bosh/bin/bosh-agent (a wrapper that execs node on bosh/lib/agent.js),
 * bosh/lib/agent.js (the agent bundle) and bosh/agent.json (settings from the file the CPI
 * writes). upstream-agent-stemcell.ts builds the variant that carries the upstream agent.
 * Pure: bytes in, bytes out.
 */
import yaml from "js-yaml";
import { sha1 } from "./release-tarball.js";
import { tgz, type TarEntry } from "./tar.js";

const STEMCELL_NAME = "bootstrap-local-stemcell";

export const AGENT_CONFIG = {
  Infrastructure: { Settings: { Sources: [{ Type: "File", SettingsPath: "/var/vcap/bosh/warden-cpi-agent-env.json" }] } },
};

const AGENT_WRAPPER = `#!/usr/bin/env bash
# The stemcell's agent: our Node.js implementation of the bosh-agent protocol.
here="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
exec node "\${here}/../lib/agent.js" "$@"
`;

export function buildStemcell(input: { baseVersion: string; agentBundle: Buffer; esmPackageJson: Buffer }): {
  version: string;
  tarball: Buffer;
} {
  return stemcellTarball(input.baseVersion, [
    { path: "bosh/bin/bosh-agent", content: Buffer.from(AGENT_WRAPPER), mode: 0o755 },
    { path: "bosh/lib/agent.js", content: input.agentBundle },
    { path: "bosh/lib/package.json", content: input.esmPackageJson },
  ]);
}

/**
 * A stemcell tarball around an image of these files plus bosh/agent.json, the agent config every
 * local image carries (the CPI delivers settings as a file); its version carries the image's digest.
 */
export function stemcellTarball(baseVersion: string, files: TarEntry[]): { version: string; tarball: Buffer } {
  const agentConfig = { path: "bosh/agent.json", content: Buffer.from(`${JSON.stringify(AGENT_CONFIG, null, 2)}\n`) };
  const image = tgz([...files, agentConfig]);
  const imageSha1 = sha1(image);
  const version = `${baseVersion}+dev.${imageSha1.slice(0, 12)}`;
  const manifest = {
    name: STEMCELL_NAME,
    version,
    bosh_protocol: 1,
    api_version: 3,
    operating_system: "local",
    stemcell_formats: ["local-tgz"],
    sha1: imageSha1,
    cloud_properties: {},
  };
  const tarball = tgz([
    { path: "stemcell.MF", content: Buffer.from(yaml.dump(manifest, { lineWidth: -1 })) },
    { path: "image", content: image },
  ]);
  return { version, tarball };
}
