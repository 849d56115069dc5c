/**
 * Failing-job diagnostics with fake ports: a failing job script carries the tail of the job
 * logs, and logs the agent does not serve are named as not fetched, with why.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { c as createTar } from "tar";
import { mkdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BlobNotFoundError } from "../../src/agent-client/index.js";
import { jobLogTails } from "../../src/bootstrap/job-logs.js";
import { FakeAgent } from "./fakes.js";

class LogsAgent extends FakeAgent {
  constructor(private readonly archive: string | undefined) {
    super();
  }
  override async downloadBlob(blobId: string, dest: string) {
    if (this.archive === undefined) throw new BlobNotFoundError(blobId);
    const { copyFile } = await import("node:fs/promises");
    await copyFile(this.archive, dest);
    return { sha1: "", sha256: "", size: 0 };
  }
}

describe("job log tails", () => {
  it("shows the last lines of each non-empty job log", async () => {
    const dir = await mkdtemp(join(tmpdir(), "job-logs-"));
    await mkdir(join(dir, "logs", "director"), { recursive: true });
    await writeFile(join(dir, "logs", "director", "pre-start.stderr.log"), Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n"));
    await writeFile(join(dir, "logs", "director", "pre-start.stdout.log"), "");
    await createTar({ gzip: true, file: join(dir, "logs.tgz"), cwd: join(dir, "logs") }, ["director"]);
    const lines = await jobLogTails(new LogsAgent(join(dir, "logs.tgz")), dir);
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
