import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { BootstrapEvent } from "../../src/bootstrap/index.js";
import { JsonRenderer } from "../../src/cli/renderers/json-renderer.js";
import { ListrRenderer } from "../../src/cli/renderers/listr-renderer.js";
import { PlainRenderer } from "../../src/cli/renderers/plain-renderer.js";
import { registerSecret } from "../../src/common/index.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const events: BootstrapEvent[] = [
  { type: "info", message: "Deployment manifest: '/m.yml'" },
  { type: "stage-started", stage: "deploying" },
  { type: "step-started", step: "Creating VM", stage: "deploying" },
  { type: "step-finished", step: "Creating VM", stage: "deploying", outcome: "finished", durationMs: 3_200 },
  // Two packages compile at once: their lines must not interleave.
  { type: "step-started", step: "Compiling package 'a/1'", stage: "deploying" },
  { type: "step-started", step: "Compiling package 'b/2'", stage: "deploying" },
  { type: "step-finished", step: "Compiling package 'b/2'", stage: "deploying", outcome: "skipped", reason: "Found in local cache", durationMs: 10 },
  { type: "step-finished", step: "Compiling package 'a/1'", stage: "deploying", outcome: "finished", durationMs: 65_000 },
  { type: "stage-finished", stage: "deploying", outcome: "finished", durationMs: 3_725_000 },
  { type: "step-started", step: "Deleting unused stemcell 'sc-1'" },
  { type: "step-finished", step: "Deleting unused stemcell 'sc-1'", outcome: "failed", durationMs: 1_000, error: "boom" },
];

describe("PlainRenderer", () => {
  it("prints bosh-style stage and step lines, whole lines for overlapping steps", () => {
    const out = capture();
    const r = new PlainRenderer(out.stream);
    for (const e of events) r.emit(e);
    expect(out.text()).toBe(
      [
        "Deployment manifest: '/m.yml'",
        "",
        "Started deploying",
        "  Creating VM... Finished (00:00:03)",
        "  Compiling package 'a/1'...",
        "  Compiling package 'b/2'... Skipped [Found in local cache] (00:00:00)",
        "  Compiling package 'a/1'... Finished (00:01:05)",
        "Finished deploying (01:02:05)",
        "",
        "Deleting unused stemcell 'sc-1'... Failed (00:00:01)",
        "",
      ].join("\n"),
    );
  });

  it("ends a download's line with its size and rate", () => {
    const out = capture();
    const r = new PlainRenderer(out.stream);
    const step = "Downloading release 'bosh'";
    r.emit({ type: "step-started", step });
    for (const bytes of [1_048_576, 3_145_728, 4_194_304]) r.emit({ type: "upload-progress", what: step, bytes, total: 4_194_304 });
    r.emit({ type: "step-finished", step, outcome: "finished", durationMs: 2_000 });
    r.emit({ type: "step-started", step: "Downloading stemcell" });
    r.emit({ type: "upload-progress", what: "Downloading stemcell", bytes: 1_000 });
    r.emit({ type: "step-finished", step: "Downloading stemcell", outcome: "failed", durationMs: 1_000, error: "dropped" });
    expect(out.text()).toBe("Downloading release 'bosh'... Finished (00:00:02, 4.0 MiB at 2.0 MiB/s)\nDownloading stemcell... Failed (00:00:01)\n");
  });

  it("redacts registered secrets, and still prints the line", () => {
    registerSecret("s3cr3t-password");
    const out = capture();
    // Not in a URL or after a password-like key: only the registered value can redact it.
    new PlainRenderer(out.stream).emit({ type: "warning", message: "agent at 1.2.3.4 refused s3cr3t-password" });
    expect(out.text()).toBe("Warning: agent at 1.2.3.4 refused <redacted>\n");
  });
});

describe("JsonRenderer", () => {
  it("writes one JSON object per event with a timestamp", () => {
    const out = capture();
    const r = new JsonRenderer(out.stream);
    for (const e of events) r.emit(e);
    const lines = out.text().trimEnd().split("\n").map((l) => JSON.parse(l) as { type: string; time: string });
    expect(lines.map((l) => l.type)).toEqual(events.map((e) => e.type));
    expect(lines.every((l) => !Number.isNaN(Date.parse(l.time)))).toBe(true);
  });
});

describe("ListrRenderer", () => {
  it("draws every stage and step with its outcome, and finish() waits until it is drawn", async () => {
    const out = capture();
    const r = new ListrRenderer(out.stream);
    for (const e of events) r.emit(e);
    await r.finish();
    const text = out.text();
    for (const needle of ["deploying", "Creating VM", "Compiling package 'a/1'", "[skipped: Found in local cache]", "Deleting unused stemcell 'sc-1'"]) {
      expect(text).toContain(needle);
    }
    expect(text.indexOf("Creating VM")).toBeLessThan(text.indexOf("Deleting unused stemcell"));
  });

  it("shows a download's bytes, total and rate while it runs, and its size and rate when it ends", async () => {
    const out = capture();
    let clock = 0;
    const r = new ListrRenderer(out.stream, () => clock);
    const step = "Downloading release 'bosh'";
    r.emit({ type: "stage-started", stage: "validating" });
    r.emit({ type: "step-started", step, stage: "validating" });
    // The first report is the rate's baseline: a resumed download starts with the bytes it kept.
    r.emit({ type: "upload-progress", what: step, bytes: 1_048_576, total: 4_194_304 });
    clock = 1_000;
    r.emit({ type: "upload-progress", what: step, bytes: 3_145_728, total: 4_194_304 });
    // listr2 draws the title on its own timer, while the step still runs
    await expect.poll(() => out.text(), { timeout: 30_000 }).toContain(`validating › ${step} (3.0 MiB of 4.0 MiB at 2.0 MiB/s)`);
    r.emit({ type: "upload-progress", what: step, bytes: 4_194_304, total: 4_194_304 });
    r.emit({ type: "step-finished", step, stage: "validating", outcome: "finished", durationMs: 2_000 });
    r.emit({ type: "stage-finished", stage: "validating", outcome: "finished", durationMs: 2_100 });
    // a download outside any stage, of unknown size, is a task whose title shows the same
    r.emit({ type: "step-started", step: "Downloading stemcell" });
    r.emit({ type: "upload-progress", what: "Downloading stemcell", bytes: 512 });
    await expect.poll(() => out.text(), { timeout: 30_000 }).toContain("Downloading stemcell (512 B)");
    r.emit({ type: "upload-progress", what: "Downloading stemcell", bytes: 2_048 });
    r.emit({ type: "step-finished", step: "Downloading stemcell", outcome: "finished", durationMs: 1_000 });
    await r.finish();
    expect(out.text()).toContain(`✔ ${step} (00:00:02, 4.0 MiB at 2.0 MiB/s)`);
    expect(out.text()).toContain("Downloading stemcell (2.0 KiB at 2.0 KiB/s)");
  });
});
