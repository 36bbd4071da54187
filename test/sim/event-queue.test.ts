import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/event-queue.js';
import { createRandom } from '../../src/core/rng.js';

describe('EventQueue', () => {
  it('pops by time, then priority, then insertion order', () => {
    const q = new EventQueue<string>();
    q.push(10, 'b-late-prio1', 1);
    q.push(5, 'a');
    q.push(10, 'c-prio0-first', 0);
    q.push(10, 'd-prio0-second', 0);
    q.push(10, 'e-prio1-second', 1);
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.payload);
    expect(out).toEqual(['a', 'c-prio0-first', 'd-prio0-second', 'b-late-prio1', 'e-prio1-second']);
  });

  it('gives the same order for the same pushes, including many ties', () => {
    const run = (): string[] => {
      const rng = createRandom(3);
      const q = new EventQueue<number>();
      for (let i = 0; i < 2000; i++) q.push(Math.floor(rng.next() * 50), i, Math.floor(rng.next() * 3));
      const out: string[] = [];
      for (let e = q.pop(); e; e = q.pop()) out.push(`${e.timeSec}/${e.priority}/${e.payload}`);
      return out;
    };
    const a = run();
    expect(a).toEqual(run());
    for (let i = 1; i < a.length; i++) {
      const [t0, p0, s0] = a[i - 1].split('/').map(Number);
      const [t1, p1, s1] = a[i].split('/').map(Number);
      expect(t0 < t1 || (t0 === t1 && (p0 < p1 || (p0 === p1 && s0 < s1)))).toBe(true);
    }
  });

  it('drains events pushed while draining when they fall inside the window', () => {
    const q = new EventQueue<string>();
    q.push(1, 'first');
    q.push(9, 'outside');
    const seen: string[] = [];
    for (const e of q.drainUntil(5)) {
      seen.push(e.payload);
      if (e.payload === 'first') q.push(3, 'pushed');
    }
    expect(seen).toEqual(['first', 'pushed']);
    expect(q.size).toBe(1);
  });

  it('rejects a non-finite time', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(/finite/);
  });
});
