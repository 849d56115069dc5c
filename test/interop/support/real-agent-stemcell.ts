/**
 * The local stemcell variant that carries the upstream bosh-agent (../shared/peers/bin/bosh-agent,
 * copied into the image at test time, never into the repository), run unprivileged as AGENT_UID.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildUpstreamAgentStemcell } from "../../../src/local/build/upstream-agent-stemcell.js";
import { peerPath } from "./peers.js";

/** A uid/gid with no account on the host: what the agent creates on a VM belongs to nobody real. */
export const AGENT_UID = 27780;

export async function buildRealAgentStemcell(dir: string): Promise<{ path: string; version: string }> {
  const { version, tarball } = buildUpstreamAgentStemcell({
    baseVersion: "0.1.0",
    agentBinary: await readFile(peerPath("bosh-agent")),
    runAs: { uid: AGENT_UID, gid: AGENT_UID },
  });
  const path = join(dir, "bootstrap-local-stemcell-upstream-agent.tgz");
  await writeFile(path, tarball);
  return { path, version };
}
