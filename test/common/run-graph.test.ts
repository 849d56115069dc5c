import { describe, expect, it } from "vitest";
import { runGraph, runGraphSettled, topologicalOrder, type GraphNode } from "../../src/common/index.js";

const node = (name: string, ...dependencies: string[]): GraphNode => ({ name, dependencies });

/** An action whose calls finish only when the test says so, recording what ran and when. */
function controlledAction() {
  const log: string[] = [];
  const pending = new Map<string, { resolve: (v: string) => void; reject: (e: unknown) => void }>();
  let inFlight = 0;
  let maxInFlight = 0;
  const action = (n: GraphNode, results: ReadonlyMap<string, string>): Promise<string> => {
    log.push(`start ${n.name} [${n.dependencies.map((d) => results.get(d) ?? "?").join(",")}]`);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    return new Promise<string>((resolve, reject) => pending.set(n.name, { resolve, reject })).finally(() => {
      inFlight -= 1;
      log.push(`end ${n.name}`);
    });
  };
  /** Lets the promise callbacks and the graph's next scheduling round run. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const finish = async (name: string, outcome: { fails?: unknown } = {}): Promise<void> => {
    const call = pending.get(name);
    if (call === undefined) throw new Error(`'${name}' is not running (log: ${log.join("; ")})`);
    pending.delete(name);
    if ("fails" in outcome) call.reject(outcome.fails);
    else call.resolve(`${name}-result`);
    await settle();
  };
  return { action, log, finish, settle, running: () => [...pending.keys()].sort(), maxInFlight: () => maxInFlight };
}

describe("runGraph", () => {
  it("starts a node only after all its dependencies are done, and hands it their results", async () => {
    // given a diamond: d needs b and c, which both need a
    const c = controlledAction();
    const run = runGraph([node("d", "b", "c"), node("b", "a"), node("c", "a"), node("a")], c.action, { concurrency: 4 });
    await c.settle();
    expect(c.running()).toEqual(["a"]);

    await c.finish("a");
    expect(c.running()).toEqual(["b", "c"]);
    await c.finish("b");
    expect(c.running()).toEqual(["c"]); // d still waits for c
    await c.finish("c");
    expect(c.running()).toEqual(["d"]);
    await c.finish("d");

    const results = await run;
    expect(c.log).toContain("start d [b-result,c-result]");
    expect([...results.entries()].sort()).toEqual([["a", "a-result"], ["b", "b-result"], ["c", "c-result"], ["d", "d-result"]]);
  });

  it.each([
    [undefined, 1],
    [1, 1],
    [2, 2],
    [3, 3],
  ])("never runs more than the concurrency limit (%s) at once, and uses all of it", async (concurrency, expected) => {
    const c = controlledAction();
    const names = ["p1", "p2", "p3", "p4", "p5"];
    const run = runGraph(names.map((n) => node(n)), c.action, concurrency === undefined ? {} : { concurrency });
    await c.settle();
    while (c.running().length > 0) {
      expect(c.running().length).toBeLessThanOrEqual(expected);
      await c.finish(c.running()[0] ?? "");
    }
    await run;
    expect(c.maxInFlight()).toBe(expected);
  });

  it("skips the dependants of a failed node, reports them so, and lets independent work finish", async () => {
    // given a → b → c, and d on its own
    const c = controlledAction();
    const boom = new Error("a failed");
    const settled = runGraphSettled([node("a"), node("b", "a"), node("c", "b"), node("d")], c.action, { concurrency: 2 });
    await c.settle();
    expect(c.running()).toEqual(["a", "d"]);

    await c.finish("a", { fails: boom });
    expect(c.running()).toEqual(["d"]); // b is never started
    await c.finish("d");

    const outcomes = await settled;
    expect(outcomes.get("a")).toEqual({ status: "failed", error: boom });
    expect(outcomes.get("b")).toEqual({ status: "skipped", because: "a" });
    expect(outcomes.get("c")).toEqual({ status: "skipped", because: "b" });
    expect(outcomes.get("d")).toEqual({ status: "done", result: "d-result" });
    expect(c.log.filter((l) => l.startsWith("start")).map((l) => l.split(" ")[1])).toEqual(["a", "d"]);
  });

  it("rejects with the failure only after the work in flight has settled", async () => {
    const c = controlledAction();
    const boom = new Error("a failed");
    let settledWith: unknown = "not yet";
    const run = runGraph([node("a"), node("b")], c.action, { concurrency: 2 }).then(
      () => "resolved",
      (error: unknown) => error,
    );
    void run.then((outcome) => (settledWith = outcome));
    await c.settle();
    await c.finish("a", { fails: boom });
    expect(settledWith).toBe("not yet"); // b is still running
    await c.finish("b");
    expect(await run).toBe(boom);
  });

  it("starts nothing more once aborted, reports the rest skipped, and rejects with the abort's reason", async () => {
    const nodes = [node("a"), node("b"), node("c", "a")];
    const reason = new Error("interrupted by SIGINT");
    const abortWhileRunningA = async <T>(run: (c: ReturnType<typeof controlledAction>, signal: AbortSignal) => Promise<T>) => {
      const c = controlledAction();
      const controller = new AbortController();
      const outcome = run(c, controller.signal).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      await c.settle();
      expect(c.running()).toEqual(["a"]);
      controller.abort(reason);
      await c.finish("a");
      expect(c.running()).toEqual([]);
      return { outcome: await outcome, started: c.log.filter((l) => l.startsWith("start")).length };
    };

    const settled = await abortWhileRunningA((c, signal) => runGraphSettled(nodes, c.action, { concurrency: 1, signal }));
    expect(settled.started).toBe(1);
    expect(settled.outcome).toEqual({
      value: new Map([
        ["a", { status: "done", result: "a-result" }],
        ["b", { status: "skipped", because: "aborted" }],
        ["c", { status: "skipped", because: "aborted" }],
      ]),
    });

    const run = await abortWhileRunningA((c, signal) => runGraph(nodes, c.action, { concurrency: 1, signal }));
    expect(run.started).toBe(1);
    expect(run.outcome).toEqual({ error: reason });
  });

  it("rejects with the abort's reason when aborted before it starts, running nothing", async () => {
    const c = controlledAction();
    const controller = new AbortController();
    controller.abort(new Error("interrupted by SIGTERM"));
    await expect(runGraph([node("a")], c.action, { signal: controller.signal })).rejects.toThrow("interrupted by SIGTERM");
    expect(c.log).toEqual([]);
  });

  it("resolves with every result when the abort comes after all work has started and finished", async () => {
    const controller = new AbortController();
    const results = await runGraph([node("a")], async (n) => {
      controller.abort(new Error("too late"));
      return n.name;
    }, { signal: controller.signal });
    expect(results.get("a")).toBe("a");
  });

  it("rejects a dependency that is not in the graph, and a cycle, before running anything", async () => {
    const c = controlledAction();
    await expect(runGraph([node("a", "missing")], c.action)).rejects.toThrow("'a' depends on 'missing', which is not in the graph");
    await expect(runGraph([node("a", "c"), node("b", "a"), node("c", "b")], c.action)).rejects.toThrow("dependency cycle: a -> c -> b -> a");
    expect(c.log).toEqual([]);
  });
});

describe("topologicalOrder", () => {
  it("puts dependencies first and otherwise keeps the input order", () => {
    const order = topologicalOrder([node("web", "db", "cache"), node("worker"), node("db"), node("cache", "db")]);
    expect(order.map((n) => n.name)).toEqual(["db", "cache", "web", "worker"]);
  });

  it("rejects a cycle", () => {
    expect(() => topologicalOrder([node("a", "b"), node("b", "a")])).toThrow("dependency cycle: a -> b -> a");
  });
});
