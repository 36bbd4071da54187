/**
 * Graph helpers for task DAGs: topological order (Kahn's algorithm) and cycle detection.
 * Pure; iteration follows the order tasks were declared, so results are deterministic.
 */

/** A node of a dependency graph: an id and the ids it depends on. */
export interface GraphNode {
  readonly id: string;
  readonly dependencies: readonly string[];
}

/**
 * Orders nodes so every node comes after its dependencies (Kahn 1962, "Topological sorting of large
 * networks"). Ties keep declaration order. Dependencies on unknown ids are ignored here (the registry
 * reports them separately).
 * @returns `{ order }` when acyclic, or `{ cycle }`: the ids of one cycle, first id repeated at the end
 */
export function topologicalOrder(nodes: readonly GraphNode[]): { order: string[] } | { cycle: string[] } {
  const known = new Set(nodes.map((n) => n.id));
  const indegree = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const n of nodes) {
    indegree.set(n.id, 0);
    dependants.set(n.id, []);
  }
  for (const n of nodes) {
    for (const d of new Set(n.dependencies)) {
      if (!known.has(d)) continue;
      indegree.set(n.id, (indegree.get(n.id) ?? 0) + 1);
      dependants.get(d)?.push(n.id);
    }
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head];
    order.push(id);
    for (const m of dependants.get(id) ?? []) {
      const left = (indegree.get(m) ?? 0) - 1;
      indegree.set(m, left);
      if (left === 0) ready.push(m);
    }
  }
  if (order.length === nodes.length) return { order };
  return { cycle: findCycle(nodes, new Set(order)) };
}

/** Walks dependency edges among the unordered nodes until a node repeats: that loop is a cycle. */
function findCycle(nodes: readonly GraphNode[], ordered: ReadonlySet<string>): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const start = nodes.find((n) => !ordered.has(n.id));
  if (!start) return [];
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let current: string | undefined = start.id;
  while (current !== undefined && !seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    const node = byId.get(current);
    current = node?.dependencies.find((d) => byId.has(d) && !ordered.has(d));
  }
  if (current === undefined) return path;
  const cycle = path.slice(seenAt.get(current));
  // Edges point from a node to what it depends on; show the cycle in execution direction.
  cycle.reverse();
  // Start at the node declared first, so the same graph always reports the same text.
  const firstDeclared = nodes.findIndex((n) => cycle.includes(n.id));
  const at = cycle.indexOf(nodes[firstDeclared].id);
  const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
  return [...rotated, rotated[0]];
}
