/**
 * A local stemcell whose image carries the upstream bosh-agent instead of ours: its
 * bosh/bin/bosh-agent wraps the given executable (bosh/bin/bosh-agent-upstream) and runs it on
 * the agent's `dummy` platform and job supervisor (`-P dummy -M dummy -b /var/vcap`), the only
 * way it runs outside a real stemcell. There the HTTPS mbus, blobs, compile_package, apply,
 * run_script, drain and fetch_logs do real work; disk mounts are bookkeeping and jobs are not
 * started (get_state says "running" after start). The CPI starts it like any agent, with
 * `-C /var/vcap/bosh/agent.json`. The binary is an input: nothing upstream is shipped here.
 * Pure: bytes in, bytes out.
 */
import { AGENT_CONFIG, stemcellTarball } from "./stemcell-tarball.js";
import type { TarEntry } from "./tar.js";

const UPSTREAM_AGENT_IN_IMAGE = "bosh/bin/bosh-agent-upstream";

export interface UpstreamAgentStemcellInput {
  baseVersion: string;
  /** The bosh-agent executable (Linux amd64) to put into the image. */
  agentBinary: Buffer;
  /**
   * Run the agent as this uid/gid instead of root (setpriv): it then owns /var/vcap and its
   * settings file, and compiles and runs job scripts unprivileged. Needs the CPI to run as root
   * (an unprivileged CPI's VMs map only uid 0).
   */
  runAs?: { uid: number; gid: number };
  /** Further files for the image, e.g. the bulk of a benchmark's big stemcell. */
  extraFiles?: TarEntry[];
}

export function buildUpstreamAgentStemcell(input: UpstreamAgentStemcellInput): { version: string; tarball: Buffer } {
  return stemcellTarball(input.baseVersion, [
    { path: "bosh/bin/bosh-agent", content: Buffer.from(upstreamAgentWrapper(input.runAs)), mode: 0o755 },
    { path: UPSTREAM_AGENT_IN_IMAGE, content: input.agentBinary, mode: 0o755 },
    ...(input.extraFiles ?? []),
  ]);
}

function upstreamAgentWrapper(runAs: { uid: number; gid: number } | undefined): string {
  const settingsFile = AGENT_CONFIG.Infrastructure.Settings.Sources[0]?.SettingsPath ?? "";
  const lines = [
    "#!/usr/bin/env bash",
    "# The stemcell's agent: the upstream bosh-agent on its dummy platform (see upstream-agent-stemcell.ts).",
    "set -eu",
    'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    'base="$(dirname "$(dirname "${here}")")"',
  ];
  if (runAs === undefined) {
    lines.push(`exec "\${here}/bosh-agent-upstream" -P dummy -M dummy -b "\${base}" "$@"`);
  } else {
    const owner = `${runAs.uid}:${runAs.gid}`;
    lines.push(
      "# The agent creates data/, sys/, jobs/, packages/ and its state files under its base dir, and",
      "# reads the settings file (mode 0600) that the CPI writes for the owner of bosh/.",
      `chown ${owner} "\${base}" "\${base}/bosh" "${settingsFile}"`,
      `exec setpriv --reuid=${runAs.uid} --regid=${runAs.gid} --clear-groups -- "\${here}/bosh-agent-upstream" -P dummy -M dummy -b "\${base}" "$@"`,
    );
  }
  return `${lines.join("\n")}\n`;
}
