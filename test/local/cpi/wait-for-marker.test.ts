/**
 * Waiting for a marker file that a VM's process writes (the VM's "started" marker, its SSH
 * server's ready file): with the marker's directory watched, the wait ends when the marker is
 * written, not a poll interval later; where the directory cannot be watched, polling remains.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../../src/local/vm/process-info.js";

// Longer than the test's own timeout: a wait that only polled could not end in time.
const HOUR_MS = 3_600_000;

describe("waitFor with a watched directory", () => {
  it("sees a marker when it is written, however long the poll interval", async () => {
    // given
    const dir = mkdtempSync(join(tmpdir(), "wait-for-marker-"));
    const marker = join(dir, "sshd.ready");
    let checks = 0;
    const waiting = waitFor(async () => (checks++, existsSync(marker)), HOUR_MS, HOUR_MS, dir);
    await new Promise((r) => setImmediate(r));
    expect(checks).toBe(1);
    // when
    writeFileSync(marker, "");
    // then
    expect(await waiting).toBe(true);
  });

  it("still polls where the directory cannot be watched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wait-for-marker-"));
    let checks = 0;
    expect(await waitFor(async () => ++checks === 3, HOUR_MS, 1, join(dir, "missing"))).toBe(true);
  });
});
