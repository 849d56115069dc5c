import { describe, expect, it } from "vitest";
import { isAlive, isPlainRecord, isRecord, sleep } from "../../src/common/index.js";

class Point {
  x = 1;
}

describe("isRecord / isPlainRecord", () => {
  it.each([null, undefined, 1, "a", true, [], [1]])("neither takes %j for a map", (value) => {
    expect(isRecord(value)).toBe(false);
    expect(isPlainRecord(value)).toBe(false);
  });

  it("takes objects for maps; the plain check also requires Object's prototype or none", () => {
    expect([{}, Object.create(null), new Point(), new Date(0)].map((v) => isRecord(v))).toEqual([true, true, true, true]);
    expect([{}, Object.create(null), new Point(), new Date(0)].map((v) => isPlainRecord(v))).toEqual([true, true, false, false]);
  });
});

describe("isAlive", () => {
  it("knows this process is alive and a pid beyond the kernel's limit is not", () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(2 ** 22 + 1)).toBe(false); // pid_max is at most 2^22
  });
});

describe("sleep", () => {
  it("waits the time when nothing aborts", async () => {
    const started = Date.now();
    await sleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("rejects with the signal's reason on abort, at once and when already aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted");
    const pending = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
  });

  it("resolves early on abort when asked to, for loops that check the signal themselves", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal, { onAbort: "resolve" });
    controller.abort(new Error("interrupted"));
    await expect(pending).resolves.toBeUndefined();
    await expect(sleep(60_000, controller.signal, { onAbort: "resolve" })).resolves.toBeUndefined();
  });
});
