/**
 * Runs dependency-ordered work (package compilation) with a concurrency limit. A node starts
 * once all its dependencies succeeded; a failed node marks every dependant skipped instead of
 * starting it. The first failure is rethrown after everything in flight has settled, so no
 * action is left running behind the caller's back. An abort starts nothing more; runGraph then
 * rejects with the signal's reason, so that a caller never takes partial results for all.
 */
export interface GraphNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

export type NodeOutcome<R> =
  | { status: "done"; result: R }
  | { status: "failed"; error: unknown }
  | { status: "skipped"; because: string };

export interface GraphRunOptions {
  concurrency?: number;
  signal?: AbortSignal | undefined;
}

export async function runGraph<N extends GraphNode, R>(
  nodes: readonly N[],
  action: (node: N, results: ReadonlyMap<string, R>) => Promise<R>,
  options: GraphRunOptions = {},
): Promise<Map<string, R>> {
  const outcomes = await runGraphSettled(nodes, action, options);
  const results = new Map<string, R>();
  for (const node of nodes) {
    const outcome = outcomes.get(node.name);
    if (outcome?.status === "failed") throw outcome.error;
  }
  // Without a failure, only the abort leaves nodes skipped.
  if (options.signal?.aborted === true && [...outcomes.values()].some((o) => o.status === "skipped")) throw options.signal.reason;
  for (const [name, outcome] of outcomes) if (outcome.status === "done") results.set(name, outcome.result);
  return results;
}

export async function runGraphSettled<N extends GraphNode, R>(
  nodes: readonly N[],
  action: (node: N, results: ReadonlyMap<string, R>) => Promise<R>,
  options: GraphRunOptions = {},
): Promise<Map<string, NodeOutcome<R>>> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of nodes) {
    for (const dep of node.dependencies) {
      if (!byName.has(dep)) throw new Error(`'${node.name}' depends on '${dep}', which is not in the graph`);
    }
  }
  assertAcyclic(nodes, byName);

  const outcomes = new Map<string, NodeOutcome<R>>();
  const results = new Map<string, R>();
  const running = new Set<string>();
  return new Promise((resolve) => {
    const pump = (): void => {
      for (const node of nodes) {
        if (outcomes.has(node.name) || running.has(node.name)) continue;
        const blocker = node.dependencies.find((d) => {
          const o = outcomes.get(d);
          return o !== undefined && o.status !== "done";
        });
        if (blocker !== undefined) {
          outcomes.set(node.name, { status: "skipped", because: blocker });
          continue;
        }
        if (options.signal?.aborted) {
          outcomes.set(node.name, { status: "skipped", because: "aborted" });
          continue;
        }
        const ready = node.dependencies.every((d) => outcomes.get(d)?.status === "done");
        if (!ready || running.size >= concurrency) continue;
        running.add(node.name);
        action(node, results).then(
          (result) => {
            results.set(node.name, result);
            outcomes.set(node.name, { status: "done", result });
          },
          (error: unknown) => outcomes.set(node.name, { status: "failed", error }),
        ).finally(() => {
          running.delete(node.name);
          pump();
        });
      }
      // Skipping can unblock nothing but can settle more nodes; loop until stable.
      if (running.size === 0) {
        if (outcomes.size < nodes.length) return pump();
        resolve(outcomes);
      }
    };
    pump();
  });
}

function assertAcyclic<N extends GraphNode>(nodes: readonly N[], byName: Map<string, N>): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`dependency cycle: ${[...path, name].join(" -> ")}`);
    state.set(name, "visiting");
    for (const dep of byName.get(name)?.dependencies ?? []) visit(dep, [...path, name]);
    state.set(name, "done");
  };
  for (const node of nodes) visit(node.name, []);
}

/** Topological order (dependencies first), stable with respect to the input order. */
export function topologicalOrder<N extends GraphNode>(nodes: readonly N[]): N[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  assertAcyclic(nodes, byName);
  const seen = new Set<string>();
  const order: N[] = [];
  const visit = (node: N): void => {
    if (seen.has(node.name)) return;
    seen.add(node.name);
    for (const dep of node.dependencies) {
      const d = byName.get(dep);
      if (d !== undefined) visit(d);
    }
    order.push(node);
  };
  for (const node of nodes) visit(node);
  return order;
}
