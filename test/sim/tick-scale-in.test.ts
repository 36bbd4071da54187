/**
 * Planner behaviours the prescale tick relies on in the backtest: spot covers a remainder smaller
 * than one spot instance when that is cheaper than on-demand, scale-in removes on-demand above the
 * floor before spot, and scale-in stops idle instances and keeps busy ones.
 */
import { describe, expect, it } from 'vitest';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import type { TerminateCommand } from '../../src/core/model/index.js';
import { flatDemand, input, instance, offering, pool } from '../unit/plan/builders.js';

const planner = createGreedyPlanner();
const terminations = (cmds: readonly { kind: string }[]): TerminateCommand[] => cmds.filter((c): c is TerminateCommand => c.kind === 'terminate');

describe('planner choices for the tick', () => {
  it('covers a 1-unit need with one 4-unit spot instance rather than a dearer on-demand one', () => {
    const p = pool({ maxSpotSharePerOffering: 1, minSpotOfferings: 1 });
    const od = offering('m6g.xlarge', 'on-demand', 0.154, { capacityUnits: 4 });
    const spot = offering('m6g.xlarge', 'spot', 0.0647, { capacityUnits: 4 });
    const { plan } = planner.plan(input({ pool: p, offerings: [od, spot], demand: flatDemand(3, 1000, 60, 1) }));
    expect(plan.slots[0].countsByOffering).toEqual({ [spot.id]: 1 });
  });

  it('covers a small need with a diversified spot pair when two spot instances cost less than one on-demand', () => {
    const p = pool({ maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
    const od = offering('c7g.large', 'on-demand', 0.0725);
    const s1 = offering('c7g.large', 'spot', 0.0319);
    const s2 = offering('m6g.large', 'spot', 0.0331);
    const { plan } = planner.plan(input({ pool: p, offerings: [od, s1, s2], demand: flatDemand(3, 1000, 60, 1) }));
    expect(plan.slots[0].countsByOffering).toEqual({ [s1.id]: 1, [s2.id]: 1 });
  });

  it('keeps on-demand when the spot pair would cost more', () => {
    const p = pool({ maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
    const od = offering('c7g.large', 'on-demand', 0.06);
    const s1 = offering('c7g.large', 'spot', 0.0319);
    const s2 = offering('m6g.large', 'spot', 0.0331);
    const { plan } = planner.plan(input({ pool: p, offerings: [od, s1, s2], demand: flatDemand(3, 1000, 60, 1) }));
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 1 });
  });

  it('scales in on-demand above the floor before spot', () => {
    const p = pool({ maxSpotSharePerOffering: 1, minSpotOfferings: 1, scaleInCooldownSec: 0 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const spot = offering('m5.large', 'spot', 0.03);
    const capacity = { atSec: 1000, caches: [], instances: [instance('i-od', od), instance('i-spot', spot)] };
    const { plan } = planner.plan(input({ pool: p, offerings: [od, spot], capacity, demand: flatDemand(10, 1000, 60, 2) }));
    expect(terminations(plan.commands).flatMap((t) => t.instanceIds)).toEqual(['i-od']);
  });

  it('terminates idle instances, never a busy one, and waits when only busy ones could go', () => {
    const p = pool({ markets: ['on-demand'], scaleInCooldownSec: 0 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const mixed = { atSec: 1000, caches: [], instances: [instance('i-1', od, { busyUnits: 2 }), instance('i-2', od, { busyUnits: 0 }), instance('i-3', od, { busyUnits: 1 })] };
    const a = planner.plan(input({ pool: p, offerings: [od], capacity: mixed, demand: flatDemand(10, 1000, 60, 2) }));
    expect(terminations(a.plan.commands).flatMap((t) => t.instanceIds)).toEqual(['i-2']);
    expect(a.plan.bindingConstraints).toContain('busy instances kept');

    const allBusy = { atSec: 1000, caches: [], instances: [instance('i-1', od, { busyUnits: 2 }), instance('i-3', od, { busyUnits: 1 })] };
    const b = planner.plan(input({ pool: p, offerings: [od], capacity: allBusy, demand: flatDemand(10, 1000, 60, 2) }));
    expect(terminations(b.plan.commands)).toEqual([]);
    expect(b.plan.commands.filter((c) => c.kind === 'launch')).toEqual([]);
  });
});
