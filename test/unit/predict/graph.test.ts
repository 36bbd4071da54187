import { describe, expect, it } from 'vitest';
import { groupSignals, reconstructGraph, WINDOW_7_DAYS_SEC } from '../../../src/core/predict/index.js';
import { InputError, type ExecutionEvent } from '../../../src/core/model/index.js';
import { chainEvents } from './events.js';

const DAY = 86_400;
const NOW = 100 * DAY;

describe('execution signals and graph reconstruction', () => {
  it('keeps every state change of a step as timestamp arrays with progress intensities', () => {
    const base = { chainId: 'c', workflow: 'wf', taskId: 't1', taskType: 'a' };
    const ev: ExecutionEvent[] = [
      { ...base, kind: 'started', atSec: 10 },
      { ...base, kind: 'progress', atSec: 15, intensity: 0.4 },
      { ...base, kind: 'failed', atSec: 20 },
      { ...base, kind: 'started', atSec: 25 },
      { ...base, kind: 'progress', atSec: 27, intensity: 1.7 },
      { ...base, kind: 'finished', atSec: 30, outputBytes: 2048 },
    ];
    const [chain] = groupSignals(ev);
    expect(chain.steps).toHaveLength(1);
    expect(chain.steps[0]).toMatchObject({ startedAtSec: [10, 25], failedAtSec: [20], finishedAtSec: [30], progress: { atSec: [15, 27], intensity: [0.4, 1] }, outputBytes: 2048 });
  });

  it('builds nodes with runtime and resources and edges with counts, probabilities, delays and data size', () => {
    const ev: ExecutionEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const chain = chainEvents({ chainId: `c${i}`, steps: ['a', i < 3 ? 'b' : 'c'], gapSec: 20, runtimeSec: 15, t0: NOW - DAY + i * 100 });
      ev.push(...chain.map((e) => (e.taskType === 'a' && e.kind === 'finished' ? { ...e, outputBytes: 1000 * (i + 1), vcpu: 2, memoryGiB: 4 } : e)));
    }
    const g = reconstructGraph(ev, NOW, WINDOW_7_DAYS_SEC);
    expect(g.chains).toBe(4);
    const a = g.nodes.find((n) => n.taskType === 'a')!;
    expect(a).toMatchObject({ runs: 4, failures: 0 });
    expect(a.runtimeSec.mean).toBeCloseTo(15);
    expect(a.vcpu.mean).toBe(2);
    const ab = g.edges.find((e) => e.from === 'a' && e.to === 'b')!;
    expect(ab.transitions).toBe(3);
    expect(ab.probability).toBeCloseTo(0.75);
    expect(ab.delaySec.p50).toBeCloseTo(20);
    expect(ab.dataBytes.mean).toBeCloseTo(2000);
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['a>b', 'a>c']);
  });

  it('only counts events inside the rolling window', () => {
    const old = chainEvents({ chainId: 'old', steps: ['a', 'x'], t0: NOW - 20 * DAY });
    const recent = chainEvents({ chainId: 'new', steps: ['a', 'b'], t0: NOW - DAY });
    const week = reconstructGraph([...old, ...recent], NOW, 7 * DAY);
    const month = reconstructGraph([...old, ...recent], NOW, 30 * DAY);
    expect(week.edges.map((e) => e.to)).toEqual(['b']);
    expect(month.edges.map((e) => e.to).sort()).toEqual(['b', 'x']);
    expect(() => reconstructGraph(recent, NOW, 0)).toThrow(InputError);
  });
});
