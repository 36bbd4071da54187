import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/model/errors.js';
import { createRandom } from '../../../src/core/rng.js';
import { parseWfFormat } from '../../../src/core/signals/wfformat.js';
import { wfDoc15, type TestWfTask } from '../../builders/wfformat.js';

/** A random DAG: task i may depend on any earlier task; listed in a shuffled order. */
function randomDag(seed: number): TestWfTask[] {
  const r = createRandom(seed);
  const n = 2 + Math.floor(r.next() * 60);
  const tasks = Array.from({ length: n }, (_, i): TestWfTask => {
    const parents = [...new Set(Array.from({ length: Math.floor(r.next() * 3) }, () => Math.floor(r.next() * i)))].filter((p) => p < i);
    return { id: `t${Math.floor(r.next() * 4)}_ID${String(i).padStart(7, '0')}`, parents: parents.map((p) => `__${p}`), runtimeSec: Math.round(r.next() * 1000) / 10 };
  });
  const ids = tasks.map((t) => t.id);
  const named = tasks.map((t) => ({ ...t, parents: t.parents!.map((p) => ids[Number(p.slice(2))]!) }));
  for (let i = named.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [named[i], named[j]] = [named[j]!, named[i]!];
  }
  return named;
}

describe('parseWfFormat properties', () => {
  it('on 100 random DAGs: every task starts when its last parent ends, parents come first, output is deterministic', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const doc = wfDoc15(randomDag(seed));
      const trace = parseWfFormat(doc, `rand-${seed}.json`);
      const end = new Map<string, number>();
      const seen = new Set<string>();
      for (const e of trace.executions) {
        for (const p of e.parents) expect(seen.has(p), `seed ${seed}: ${p} before ${e.taskId}`).toBe(true);
        expect(e.startOffsetSec, `seed ${seed}`).toBeCloseTo(Math.max(0, ...e.parents.map((p) => end.get(p)!)), 9);
        end.set(e.taskId, e.endOffsetSec);
        seen.add(e.taskId);
      }
      expect(trace.reconstructedMakespanSec).toBeCloseTo(Math.max(...end.values()), 9);
      expect(JSON.stringify(parseWfFormat(doc, `rand-${seed}.json`))).toBe(JSON.stringify(trace));
    }
  });

  it('on 100 random DAGs with one edge reversed into a cycle: an InputError naming a task on the cycle', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const tasks = randomDag(seed);
      const child = tasks.find((t) => (t.parents ?? []).length > 0);
      if (!child) continue;
      const parent = child.parents![0]!;
      const withCycle = tasks.map((t) => (t.id === parent ? { ...t, parents: [...(t.parents ?? []), child.id] } : t));
      let err: unknown;
      try {
        parseWfFormat(wfDoc15(withCycle), 'cyc.json');
      } catch (e) {
        err = e;
      }
      expect(err, `seed ${seed}`).toBeInstanceOf(InputError);
      const m = /task "([^"]+)" is on a cycle/.exec((err as Error).message);
      expect(m, `seed ${seed}: ${(err as Error).message}`).not.toBeNull();
      // the named task reaches itself by following parents
      const parentsOf = new Map(withCycle.map((t) => [t.id, t.parents ?? []]));
      const start = m![1]!;
      const stack = [...parentsOf.get(start)!];
      const visited = new Set<string>();
      let found = false;
      while (stack.length > 0 && !found) {
        const x = stack.pop()!;
        if (x === start) found = true;
        else if (!visited.has(x)) {
          visited.add(x);
          stack.push(...parentsOf.get(x)!);
        }
      }
      expect(found, `seed ${seed}: ${start} is not on a cycle`).toBe(true);
    }
  });
});
