import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./fixtures/render-once.ts", import.meta.url));

describe("embedded Ruby in a real process", () => {
  let run: { status: number | null; stdout: string; stderr: string };
  beforeAll(() => {
    run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
  });

  it("renders, and neither template output nor Node's WASI warning reaches stdout/stderr", () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("rendered:42\n");
    expect(run.stderr).not.toContain("WASI");
    expect(run.stderr).not.toContain("template");
  });

  it("lets every other warning through", () => {
    expect(run.stderr).toContain("ExperimentalWarning: another experimental thing");
    expect(run.stderr).toContain("Warning: a warning of our own");
  });
});

describe("the embedded Ruby's process, started from a real process", () => {
  it("does not keep a process alive that has nothing left to do", () => {
    const leave = fileURLToPath(new URL("./fixtures/warm-up-and-leave.ts", import.meta.url));
    // A hang ends at the timeout (signal SIGKILL): far longer than a Ruby boot on a busy machine.
    const run = spawnSync(process.execPath, ["--import", "tsx", leave], { encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("warming up\n");
  });
});
