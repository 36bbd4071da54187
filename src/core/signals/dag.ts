/**
 * DAG helpers for workflow traces: deterministic topological order, cycle detection and
 * earliest-start scheduling.
 */

/** Result of {@link topologicalOrder}: the order, or a node that lies on a cycle. */
export type TopoResult = { readonly order: string[] } | { readonly cycleAt: string; readonly cycle: string[] };

/**
 * Kahn's algorithm (Kahn 1962). Ready nodes are taken in the order of `ids`, so the same input always
 * gives the same order.
 * @param ids every node, each once
 * @param parentsOf a node's parents; every parent must be in `ids`
 * @returns `{ order }`, or `{ cycleAt, cycle }` naming one node on a cycle and the cycle's nodes in
 *   parent-to-child order
 */
export function topologicalOrder(ids: readonly string[], parentsOf: (id: string) => readonly string[]): TopoResult {
  const rank = new Map<string, number>(ids.map((id, i) => [id, i]));
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of ids) {
    const ps = new Set(parentsOf(id));
    pending.set(id, ps.size);
    for (const p of ps) {
      const list = children.get(p);
      if (list) list.push(id);
      else children.set(p, [id]);
    }
  }
  // A binary heap would be O(n log n); the traces here have at most a few thousand tasks, so a
  // sorted ready list (by input rank) keeps the code short.
  const ready = ids.filter((id) => pending.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const c of children.get(id) ?? []) {
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0) insertByRank(ready, c, rank);
    }
  }
  if (order.length === ids.length) return { order };
  const cycle = findCycle(ids.filter((id) => pending.get(id)! > 0), parentsOf, pending);
  return { cycleAt: cycle[0]!, cycle };
}

function insertByRank(ready: string[], id: string, rank: ReadonlyMap<string, number>): void {
  const r = rank.get(id)!;
  let i = ready.length;
  while (i > 0 && rank.get(ready[i - 1]!)! > r) i--;
  ready.splice(i, 0, id);
}

/** Walks parent links among unresolved nodes until a node repeats; that stretch is a cycle. */
function findCycle(stuck: readonly string[], parentsOf: (id: string) => readonly string[], pending: ReadonlyMap<string, number>): string[] {
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  let cur = stuck[0]!;
  while (!seenAt.has(cur)) {
    seenAt.set(cur, path.length);
    path.push(cur);
    cur = parentsOf(cur).find((p) => (pending.get(p) ?? 0) > 0)!;
  }
  return path.slice(seenAt.get(cur)!).reverse();
}

/**
 * Earliest-start schedule with unlimited resources: a task starts when its last parent finishes
 * (roots at 0) and runs for its runtime. This is the critical-path (CPM) forward pass
 * (Kelley & Walker 1959); it reconstructs starts when a trace records runtimes but no start times.
 * @param order a topological order
 * @returns start and end offsets (seconds from the workflow's start) per node
 */
export function earliestStartSchedule(
  order: readonly string[],
  parentsOf: (id: string) => readonly string[],
  runtimeSecOf: (id: string) => number,
): Map<string, { startOffsetSec: number; endOffsetSec: number }> {
  const out = new Map<string, { startOffsetSec: number; endOffsetSec: number }>();
  for (const id of order) {
    let start = 0;
    for (const p of parentsOf(id)) start = Math.max(start, out.get(p)!.endOffsetSec);
    out.set(id, { startOffsetSec: start, endOffsetSec: start + runtimeSecOf(id) });
  }
  return out;
}
