import { defineConfig } from "vitest/config";

// Every deadline a test sets must be longer than what the test waits for inside it (CLI runs,
// CPI calls, VM and agent start-up, each bounded on its own), so that a busy machine makes the
// suite slower, never red. A hung test still ends: at these bounds, well inside CI's time.
const INTEGRATION_TIMEOUT_MS = 5 * 60_000;
const E2E_TIMEOUT_MS = 15 * 60_000;

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Keep the worker count at the CI machine's core count.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    benchmark: { include: ["bench/**/*.bench.ts"] },
    projects: [
      {
        extends: true,
        test: {
          name: "integration",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          // The end-to-end files run afterwards, alone; the interop suite has its own config
          // and command (npm run test:interop).
          exclude: ["test/e2e/**", "test/interop/**", "**/node_modules/**"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_TIMEOUT_MS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // Each e2e file runs whole deploys (CLI, CPI, VM, agent, compilation) that use both
        // cores: two at once only made each other slow, so they run one file at a time.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: E2E_TIMEOUT_MS,
          hookTimeout: E2E_TIMEOUT_MS,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
