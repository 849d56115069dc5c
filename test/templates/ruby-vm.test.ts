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
