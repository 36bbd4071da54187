import { describe, expect, it } from 'vitest';
import { createGreedyPlanner, MEMORY_LOW_SINCE_SEC, type DemandSlot, type PlannerMemory } from '../../../src/core/plan/index.js';
import { breakEvenScaleInCooldownSec, type CapacitySnapshot, type Instance, type TerminateCommand } from '../../../src/core/model/index.js';
import { input, instance, offering, pool } from './builders.js';

const planner = createGreedyPlanner({ tickSec: 60 });

/** Demand slots from `nowSec` for 20 minutes, units given by a function of absolute time. */
function demandAt(nowSec: number, unitsAt: (tSec: number) => number): DemandSlot[] {
  return Array.from({ length: 20 }, (_, i) => {
    const t = nowSec + i * 60;
    return { startSec: t, quantiles: { '0.5': unitsAt(t), '0.9': unitsAt(t) }, predictedStepUnits: 0, committedUnits: 0 };
  });
}

describe('lead-time pre-allocation', () => {
  const p = pool({ markets: ['on-demand'], launchMarginSec: 60 });
  const od = offering('m5.large', 'on-demand', 0.1, { launchLeadTimeSec: 90 });
  const step = (t: number): number => (t >= 1600 ? 10 : 0);

  it('launches at the last tick before need − lead time − margin, not earlier', () => {
    // need 1600, lead 90 + margin 60 → must be issued by 1450; ticks every 60 s from 1000
    const at = (nowSec: number) => planner.plan(input({ pool: p, offerings: [od], nowSec, demand: demandAt(nowSec, step) })).plan;
    expect(at(1360).commands).toEqual([]);
    const issued = at(1420).commands;
    expect(issued).toEqual([expect.objectContaining({ kind: 'launch', count: 5, needAtSec: 1600 })]);
    expect(at(1000).slots.find((s) => s.startSec === 1600)?.plannedUnits).toBe(10);
  });

  it('launches longer-lead offerings earlier than shorter-lead ones for the same need', () => {
    const slow = offering('m5.large', 'on-demand', 0.1, { launchLeadTimeSec: 300 });
    const plan = planner.plan(input({ pool: p, offerings: [slow], nowSec: 1240, demand: demandAt(1240, step) })).plan;
    // 1600 − 300 − 60 = 1240 → due now (it would be late at the 1300 tick)
    expect(plan.commands).toEqual([expect.objectContaining({ kind: 'launch', count: 5, needAtSec: 1600 })]);
  });

  it('counts a slot it cannot reach in time as expected shortfall', () => {
    const now = 1000;
    const plan = planner.plan(input({ pool: p, offerings: [od], nowSec: now, demand: demandAt(now, () => 4) })).plan;
    // 4 units are needed now and for the next slot; the launch is ready only after 90 s
    expect(plan.expectedShortfallUnitSec).toBeGreaterThanOrEqual(4 * 60 * 2 - 1e-6);
    expect(plan.expectedShortfallUnitSec).toBeLessThan(4 * 60 * 3);
  });
});

describe('scale-in hysteresis', () => {
  const p = pool({ markets: ['on-demand'], scaleInCooldownSec: 600, launchMarginSec: 60 });
  const od = offering('m5.large', 'on-demand', 0.1, { launchLeadTimeSec: 90 });
  const fleet: Instance[] = Array.from({ length: 5 }, (_, i) => instance(`i-${i}`, od));
  const cap = (atSec: number): CapacitySnapshot => ({ atSec, instances: fleet, caches: [] });
  const tick = (nowSec: number, units: number, memory: PlannerMemory) =>
    planner.plan(input({ pool: p, offerings: [od], nowSec, capacity: cap(nowSec), memory, demand: demandAt(nowSec, () => units) }));

  it('keeps capacity until demand has stayed lower for the cooldown, then scales in', () => {
    const first = tick(2000, 4, {});
    expect(first.plan.commands).toEqual([]);
    expect(first.plan.bindingConstraints).toContain('scale-in hysteresis');
    expect(first.memory[MEMORY_LOW_SINCE_SEC]).toBe(2000);
    const during = tick(2540, 4, first.memory);
    expect(during.plan.commands).toEqual([]);
    const after = tick(2600, 4, during.memory);
    const term = after.plan.commands.find((c): c is TerminateCommand => c.kind === 'terminate');
    expect(term?.instanceIds).toHaveLength(3);
  });

  it('without a configured cooldown scales in once elapsed plus known-ahead idle time reach the ski-rental break-even (lead time + margin + the 60 s billing minimum)', () => {
    const auto = pool({ markets: ['on-demand'], launchMarginSec: 60 });
    expect(auto.scaleInCooldownSec).toBeUndefined();
    expect(breakEvenScaleInCooldownSec(auto, 90)).toBe(90 + 60 + 60);
    expect(breakEvenScaleInCooldownSec({ ...auto, scaleInCooldownSec: 600 }, 90)).toBe(600);
    // ticks of 30 s: the window (30 + 90 + 60 s) says 180 s of idle ahead, 30 s short of the 210 s break-even
    const short = createGreedyPlanner({ tickSec: 30 });
    const at = (nowSec: number, memory: PlannerMemory) =>
      short.plan(input({ pool: auto, offerings: [od], nowSec, capacity: cap(nowSec), memory, demand: demandAt(nowSec, () => 4) }));
    const first = at(2000, {});
    expect(first.plan.commands).toEqual([]);
    expect(at(2020, first.memory).plan.commands).toEqual([]);
    const term = at(2030, first.memory).plan.commands.find((c): c is TerminateCommand => c.kind === 'terminate');
    expect(term?.instanceIds).toHaveLength(3);
    expect(term?.reason).toContain('after 210s below the fleet (break-even, 180s of it known ahead)');
    // ticks of 60 s: the window alone covers the break-even, so the excess goes at the first tick
    const now = planner.plan(input({ pool: auto, offerings: [od], nowSec: 2000, capacity: cap(2000), memory: {}, demand: demandAt(2000, () => 4) }));
    expect(now.plan.commands.find((c): c is TerminateCommand => c.kind === 'terminate')?.instanceIds).toHaveLength(3);
  });

  it('forgets a low spell when demand comes back', () => {
    const first = tick(2000, 4, {});
    const back = tick(2300, 10, first.memory);
    expect(back.memory[MEMORY_LOW_SINCE_SEC]).toBeUndefined();
    const low = tick(2700, 4, back.memory);
    expect(low.plan.commands).toEqual([]);
  });

  it('keeps what committed steps need during scale-in', () => {
    const first = tick(2000, 0, {});
    const demand = demandAt(2600, () => 0).map((s) => ({ ...s, committedUnits: 6 }));
    const out = planner.plan(input({ pool: p, offerings: [od], nowSec: 2600, capacity: cap(2600), memory: first.memory, demand }));
    const term = out.plan.commands.find((c): c is TerminateCommand => c.kind === 'terminate');
    expect(term?.instanceIds).toHaveLength(2);
    expect(out.plan.slots[0].plannedUnits).toBe(6);
  });

  it('never terminates idle instances and launches others in the same tick', () => {
    // 8 units held (two m5.large spot, one c5.large spot, one m5.large on-demand), 6 needed: the
    // diversification rule (two spot offerings, at most half each) would shape 6 units differently
    // from what the kept instances give, so the shrink would be undone by a launch at once
    const sp = pool({ scaleInCooldownSec: 0, maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
    const a = offering('m5.large', 'spot', 0.03, { launchLeadTimeSec: 90 });
    const b = offering('c5.large', 'spot', 0.031, { launchLeadTimeSec: 90 });
    const o = offering('m5.large', 'on-demand', 0.1, { launchLeadTimeSec: 90 });
    const big = offering('m5.2xlarge', 'spot', 0.1, { launchLeadTimeSec: 90 });
    const instances = [instance('a0', a), instance('a1', a), instance('o1', o), instance('b1', b)];
    const out = planner.plan(input({ pool: sp, offerings: [a, b, o, big], nowSec: 2000, capacity: { atSec: 2000, instances, caches: [] }, demand: demandAt(2000, () => 6) }));
    const kinds = new Set(out.plan.commands.map((c) => c.kind));
    expect(kinds.has('launch') && kinds.has('terminate')).toBe(false);
    expect(out.plan.commands.some((c) => c.kind === 'terminate')).toBe(false);
    expect(out.plan.bindingConstraints).toContain('no scale-in while launching');
  });

  it('removes spot from the most represented offering first, then instances past their billing minute', () => {
    const sp = pool({ scaleInCooldownSec: 0, maxSpotSharePerOffering: 1, minSpotOfferings: 1, onDemandFloorUnits: 2 });
    const a = offering('m5.large', 'spot', 0.03);
    const b = offering('c5.large', 'spot', 0.03);
    const o = offering('m5.large', 'on-demand', 0.1);
    const instances = [
      instance('a-old', a, { launchedAtSec: 0 }), instance('a-new', a, { launchedAtSec: 2980 }), instance('a-mid', a, { launchedAtSec: 2000 }),
      instance('b-1', b), instance('o-1', o),
    ];
    const out = planner.plan(input({ pool: sp, offerings: [a, b, o], nowSec: 3000, capacity: { atSec: 3000, instances, caches: [] }, demand: demandAt(3000, () => 6) }));
    const term = out.plan.commands.find((c): c is TerminateCommand => c.kind === 'terminate');
    // 10 units → 6: drop two spot instances of the over-represented offering a, keeping the one
    // still inside its first 60 s (a-new, launched 20 s ago); between a-old and a-mid the newest goes first
    expect(term?.instanceIds).toEqual(['a-mid', 'a-old']);
  });
});
