import { describe, expect, it } from "vitest";
import { asInterruption } from "../../src/api/index.js";
import { BootstrapError } from "../../src/common/index.js";

describe("asInterruption", () => {
  const aborted = (): AbortSignal => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted by SIGINT"));
    return controller.signal;
  };

  it("leaves errors alone when nothing was interrupted", () => {
    const error = new Error("boom");
    expect(asInterruption(error, new AbortController().signal)).toBe(error);
  });

  it("reports what the interrupted work threw as INTERRUPTED, keeping it as the cause", () => {
    for (const error of [new Error("packaging exited with signal SIGTERM"), new BootstrapError("CPI_EXITED", "CPI exited 143")]) {
      const shown = asInterruption(error, aborted());
      expect(shown).toMatchObject({ code: "INTERRUPTED", hint: expect.stringContaining("Run the same command again") });
      expect((shown as BootstrapError).cause).toBe(error);
    }
  });

  it("keeps an INTERRUPTED error as it is", () => {
    const error = new BootstrapError("INTERRUPTED", "Interrupted before CPI 'create_vm' completed.");
    expect(asInterruption(error, aborted())).toBe(error);
  });
});
