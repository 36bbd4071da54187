import { describe, expect, it } from 'vitest';
import { createGreedyPlanner, DEFAULT_PLANNER_OPTIONS } from '../../../src/core/plan/index.js';
import type { LaunchCommand } from '../../../src/core/model/index.js';
import { flatDemand, input, instance, offering, pool } from './builders.js';

const launches = (cmds: readonly { kind: string }[]): LaunchCommand[] => cmds.filter((c): c is LaunchCommand => c.kind === 'launch');

describe('launching only for demand past the shortest lead time', () => {
  const p = pool({ markets: ['on-demand'], serviceLevel: 0.9, minUnits: 0 });
  const o = offering('m5.large', 'on-demand', 0.1, { launchLeadTimeSec: 90 });
  const held = [instance('i1', o), instance('i2', o)];
  // a burst of 20 units in the first slot only (it ends before a launch could boot), 4 units after
  const demand = flatDemand(6, 1000, 60, 4).map((s, i) => (i === 0 ? { ...s, quantiles: { '0.5': 20, '0.9': 20, '0.95': 20 } } : s));
  const base = input({ pool: p, offerings: [o], demand, capacity: { atSec: 1000, instances: held, caches: [] } });

  it('launches for a burst no launch could reach with a bare planner', () => {
    expect(launches(createGreedyPlanner().plan(base).plan.commands).reduce((s, c) => s + c.count, 0)).toBeGreaterThan(0);
  });

  it('launches nothing for it with launchOnlyPastLeadTime, and still launches for demand past the lead time', () => {
    const planner = createGreedyPlanner({ launchOnlyPastLeadTime: true });
    expect(launches(planner.plan(base).plan.commands)).toEqual([]);
    const later = flatDemand(6, 1000, 60, 8);
    const cmds = launches(planner.plan({ ...base, demand: later }).plan.commands);
    expect(cmds.reduce((s, c) => s + c.count * 2, 0)).toBe(4);
  });

  it('is on in the options prescale runs with (controller, backtest, CLI)', () => {
    expect(DEFAULT_PLANNER_OPTIONS.launchOnlyPastLeadTime).toBe(true);
    expect(launches(createGreedyPlanner({ ...DEFAULT_PLANNER_OPTIONS, tickSec: 60 }).plan(base).plan.commands)).toEqual([]);
  });
});
