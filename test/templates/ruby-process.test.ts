/**
 * The embedded Ruby's own process (ruby-process.ts): a render in progress ends when its signal
 * aborts — a template that never finishes included — with the signal's reason, and the next
 * render gets a fresh Ruby; the process does not outlive the CLI, even in the middle of a render.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderJobs, stopTemplateEngine, warmUpTemplateEngine } from "../../src/director-release/templates/index.js";
import { sleep } from "../../src/common/index.js";
import { renderContext, toRender, writeJob } from "./job-fixture.js";

describe("the embedded Ruby's process", () => {
  it("ends a template that never finishes when the run is interrupted, and renders again afterwards", async () => {
    warmUpTemplateEngine();
    const endless = await writeJob({ templates: { "t.erb": ["t", "<% loop { } %>"] }, monit: "" });
    const controller = new AbortController();
    const interrupted = new Error("interrupted by the test");
    const rendering = renderJobs([toRender(endless)], renderContext({ signal: controller.signal }));
    // The render cannot end by itself, whether Ruby has begun the loop by then or is still booting.
    setTimeout(() => controller.abort(interrupted), 300);
    await expect(rendering).rejects.toBe(interrupted);

    const fine = await writeJob({ templates: { "t.erb": ["t", "<%= 6 * 7 %>"] }, monit: "" });
    const [job] = await renderJobs([toRender(fine)], renderContext());
    expect(job?.files[0]?.content.toString()).toBe("42");
  });

  it("refuses to start a render under a signal that has already aborted", async () => {
    const job = await writeJob({ templates: { "t.erb": ["t", "x"] }, monit: "" });
    const controller = new AbortController();
    controller.abort(new Error("already interrupted"));
    await expect(renderJobs([toRender(job)], renderContext({ signal: controller.signal }))).rejects.toThrow("already interrupted");
  });

  it("boots a fresh Ruby for a render after stopTemplateEngine()", async () => {
    const job = await writeJob({ templates: { "t.erb": ["t", "<%= 'again' %>"] }, monit: "" });
    await renderJobs([toRender(job)], renderContext());
    stopTemplateEngine();
    const [rendered] = await renderJobs([toRender(job)], renderContext());
    expect(rendered?.files[0]?.content.toString()).toBe("again");
  });

  it("is killed when the process that started it exits in the middle of an endless render", async () => {
    const script = fileURLToPath(new URL("./fixtures/exit-mid-render.ts", import.meta.url));
    const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" });
    expect(run.status, run.stderr).toBe(0);
    const pids = /^children:(.*)$/m.exec(run.stdout)?.[1]?.split(",").filter((p) => p !== "") ?? [];
    expect(pids).toHaveLength(1);
    // SIGKILL was sent as the fixture exited; an orphaned Ruby would spin in its loop for ever.
    for (let i = 0; i < 100 && pids.some(running); i++) await sleep(100);
    const left = pids.filter(running);
    for (const pid of left) process.kill(Number(pid), "SIGKILL");
    expect(left).toEqual([]);
  });
});

function running(pid: string): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
