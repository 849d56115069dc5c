/**
 * The embedded Ruby's own thread (ruby-worker.ts): a render in progress ends when its signal
 * aborts — a template that never finishes included — with the signal's reason, and the next
 * render gets a fresh Ruby.
 */
import { describe, expect, it } from "vitest";
import { renderJobs, warmUpTemplateEngine } from "../../src/director-release/templates/index.js";
import { renderContext, toRender, writeJob } from "./job-fixture.js";

describe("the embedded Ruby's thread", () => {
  it("ends a template that never finishes when the run is interrupted, and renders again afterwards", async () => {
    warmUpTemplateEngine();
    const endless = await writeJob({ templates: { "t.erb": ["t", "<% loop { } %>"] }, monit: "" });
    const controller = new AbortController();
    const interrupted = new Error("interrupted by the test");
    const rendering = renderJobs([toRender(endless)], renderContext({ signal: controller.signal }));
    // Aborts once Ruby has surely begun the endless loop: the render cannot have ended by itself.
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
});
