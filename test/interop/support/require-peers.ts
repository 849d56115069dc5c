/**
 * The interop suite runs only against the real peers: without them it fails at once, saying
 * what is missing and how to build it, instead of skipping anything.
 */
import { missingPeers } from "./peers.js";

export default function requirePeers(): void {
  const missing = missingPeers();
  if (missing.length === 0) return;
  throw new Error(
    [
      "The interop suite needs the upstream peers:",
      ...missing.map((line) => `  - ${line}`),
      "Build them from their public tags (cloudfoundry/bosh-cli v7.9.13, cloudfoundry/bosh-agent v2.778.0) with Go:",
      '  GOFLAGS=-mod=vendor CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bosh .          (in bosh-cli)',
      '  GOFLAGS=-mod=vendor CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bosh-agent ./main (in bosh-agent)',
      "and put both in one folder named by BOOTSTRAP_PEERS_DIR (default ../shared/peers/bin beside the checkout).",
    ].join("\n"),
  );
}
