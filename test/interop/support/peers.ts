/**
 * Where the upstream peers live: `BOOTSTRAP_PEERS_DIR` (a folder with `bosh` and `bosh-agent`)
 * or the workplace's `../shared/peers/bin` beside the checkout.
 */
import { accessSync, constants } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

export type PeerName = "bosh" | "bosh-agent";

export function peersDir(): string {
  return process.env["BOOTSTRAP_PEERS_DIR"] ?? resolve(REPO_ROOT, "../shared/peers/bin");
}

export function peerPath(name: PeerName): string {
  return join(peersDir(), name);
}

/** What is missing for the interop suite, as lines a person can act on; empty when nothing is. */
export function missingPeers(): string[] {
  const missing: string[] = [];
  for (const name of ["bosh", "bosh-agent"] as const) {
    try {
      accessSync(peerPath(name), constants.X_OK);
    } catch {
      missing.push(`${peerPath(name)} (upstream ${name === "bosh" ? "bosh-cli v7.9.13" : "bosh-agent v2.778.0"}) is missing or not executable`);
    }
  }
  try {
    accessSync("/usr/bin/ruby", constants.X_OK);
  } catch {
    missing.push("/usr/bin/ruby is missing: bosh-cli renders ERB with the system ruby (apt-get install ruby)");
  }
  return missing;
}
