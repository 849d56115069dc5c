/**
 * Failing-job diagnostics with a fake agent: a failing job script's error carries the tail of
 * each job log; logs the agent does not serve are named as not fetched, with why.
 */
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { c as createTar } from "tar";
import { describe, expect, it } from "vitest";
import { BlobNotFoundError } from "../../src/agent-client/index.js";
import { jobLogTails } from "../../src/bootstrap/job-logs.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { updateInstance } from "../../src/bootstrap/update-instance.js";
import { BootstrapError, silentLogger } from "../../src/common/index.js";
import { emptyState, FakeAgent, FakeCpi, FakeState } from "./fakes.js";

class LogsAgent extends FakeAgent {
  constructor(private readonly archive: string | undefined) {
    super();
  }
  override async downloadBlob(blobId: string, dest: string) {
    if (this.archive === undefined) throw new BlobNotFoundError(blobId);
    await copyFile(this.archive, dest);
    return { sha1: "", sha256: "", size: 0 };
  }
}

async function logsArchive(): Promise<{ dir: string; archive: string }> {
  const dir = await mkdtemp(join(tmpdir(), "job-logs-"));
  await mkdir(join(dir, "logs", "director"), { recursive: true });
  await writeFile(join(dir, "logs", "director", "pre-start.stderr.log"), Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n"));
  await writeFile(join(dir, "logs", "director", "pre-start.stdout.log"), "");
  await createTar({ gzip: true, file: join(dir, "logs.tgz"), cwd: join(dir, "logs") }, ["director"]);
  return { dir, archive: join(dir, "logs.tgz") };
}

describe("a failing job script", () => {
  it("fails the deploy with the agent's message and the tail of the job logs", async () => {
    const { dir, archive } = await logsArchive();
    const agent = new (class extends LogsAgent {
      override async runScript(name: string): Promise<void> {
        if (name === "pre-start") throw new BootstrapError("AGENT_TASK_FAILED", "Agent task run_script failed: 1 of 1 pre-start scripts failed. Failed Jobs: director.");
      }
    })(archive);
    const ctx: StageContext = {
      reporter: new Reporter({ emit() {} }),
      logger: silentLogger,
      signal: new AbortController().signal,
      state: new FakeState(emptyState()),
      cpi: new FakeCpi(),
      connectAgent: () => agent,
    };
    const failure = updateInstance(ctx, agent, {
      identity: { deployment: "d", instanceGroup: "bosh", networks: { default: { type: "manual", ip: "127.0.80.9" } } },
      rendered: { path: "/rendered.tgz", sha256: "abc", jobs: [{ name: "director", fingerprint: "fp" }] },
      packages: [],
      workDir: dir,
      watchTime: { startMs: 0, endMs: 1000 },
      pollIntervalMs: 10,
    });
    await expect(failure).rejects.toMatchObject({
      code: "AGENT_TASK_FAILED",
      message: expect.stringContaining("1 of 1 pre-start scripts failed"),
      details: expect.arrayContaining(["==> director/pre-start.stderr.log <==", "    line 29"]),
    });
  });
});

describe("job log tails", () => {
  it("shows the last lines of each non-empty job log", async () => {
    const { dir, archive } = await logsArchive();
    const lines = await jobLogTails(new LogsAgent(archive), dir);
    expect(lines[0]).toBe("==> director/pre-start.stderr.log <==");
    expect(lines).toHaveLength(26);
    expect(lines.at(-1)).toBe("    line 29");
  });

  it("says what it could not fetch and why when the agent does not serve the tarball", async () => {
    const dir = await mkdtemp(join(tmpdir(), "job-logs-"));
    const lines = await jobLogTails(new LogsAgent(undefined), dir);
    expect(lines).toEqual([expect.stringMatching(/could not fetch the job logs: .*GET answered 404.*\/var\/vcap\/sys\/log/)]);
  });
});
