import { describe, expect, it } from 'vitest';
import { earliestStartSchedule, topologicalOrder } from '../../../src/core/signals/dag.js';

const graph = (edges: Record<string, string[]>) => (id: string) => edges[id] ?? [];

describe('topologicalOrder', () => {
  it('orders parents before children, breaking ties by input order', () => {
    const parents = graph({ c: ['a', 'b'], d: ['c'], b: [] });
    expect(topologicalOrder(['d', 'c', 'b', 'a'], parents)).toEqual({ order: ['b', 'a', 'c', 'd'] });
  });

  it('names a node on a cycle and the cycle, ignoring nodes merely downstream of it', () => {
    const parents = graph({ a: [], b: ['a', 'd'], c: ['b'], d: ['c'], e: ['d'] });
    const r = topologicalOrder(['a', 'b', 'c', 'd', 'e'], parents);
    expect('cycleAt' in r).toBe(true);
    if ('cycleAt' in r) {
      expect(['b', 'c', 'd']).toContain(r.cycleAt);
      expect([...r.cycle].sort()).toEqual(['b', 'c', 'd']);
    }
  });

  it('detects a self-loop', () => {
    const r = topologicalOrder(['a'], graph({ a: ['a'] }));
    expect(r).toEqual({ cycleAt: 'a', cycle: ['a'] });
  });
});

describe('earliestStartSchedule', () => {
  it('starts each task when its last parent ends (critical-path forward pass)', () => {
    const parents = graph({ b: ['a'], c: ['a'], d: ['b', 'c'] });
    const rt: Record<string, number> = { a: 10, b: 30, c: 50, d: 20 };
    const s = earliestStartSchedule(['a', 'b', 'c', 'd'], parents, (id) => rt[id]!);
    expect(Object.fromEntries(s)).toEqual({
      a: { startOffsetSec: 0, endOffsetSec: 10 },
      b: { startOffsetSec: 10, endOffsetSec: 40 },
      c: { startOffsetSec: 10, endOffsetSec: 60 },
      d: { startOffsetSec: 60, endOffsetSec: 80 },
    });
  });
});
