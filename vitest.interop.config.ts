import { defineConfig } from "vitest/config";

// The interop suite: the same inputs through the upstream bosh-cli / bosh-agent binaries
// (../shared/peers, or BOOTSTRAP_PEERS_DIR) and through bootstrap, compared. Its own command
// (`npm run test:interop`) because it needs those binaries and Ruby; the global setup fails the
// run, saying what is missing and how to get it, when they are absent.
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts", "test/interop/support/require-peers.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
