import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The interop suite has its own config and command (npm run test:interop).
    exclude: ["test/interop/**", "**/node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    // Integration tests start real CPIs, agents and SSH servers: give them room, and keep
    // the worker count at the CI machine's core count.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
