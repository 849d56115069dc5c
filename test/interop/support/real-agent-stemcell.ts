/**
 * The local stemcell variant that carries the upstream bosh-agent (../shared/peers/bin/bosh-agent,
 * copied into the image at test time, never into the repository), run unprivileged as AGENT_UID.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TarEntry } from "../../../src/local/build/tar.js";
import { buildUpstreamAgentStemcell } from "../../../src/local/build/upstream-agent-stemcell.js";
import { peerPath } from "./peers.js";

/** A uid/gid with no account on the host: what the agent creates on a VM belongs to nobody real. */
export const AGENT_UID = 27780;

/** `extraFiles` go into the image too (the side-by-side benchmark's big stemcell carries bulk). */
export async function buildRealAgentStemcell(dir: string, extraFiles: TarEntry[] = []): Promise<{ path: string; version: string }> {
  const { version, tarball } = buildUpstreamAgentStemcell({
    baseVersion: "0.1.0",
    agentBinary: await readFile(peerPath("bosh-agent")),
    runAs: { uid: AGENT_UID, gid: AGENT_UID },
    extraFiles,
  });
  const path = join(dir, "bootstrap-local-stemcell-upstream-agent.tgz");
  await writeFile(path, tarball);
  return { path, version };
}
