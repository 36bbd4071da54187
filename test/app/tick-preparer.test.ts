/**
 * The tick's pre-execute commands go to `deps.preparer` when it has one (the AWS SqsPreparer in the
 * controller Lambda), not to `CloudProvider.apply`; a rejected preparation is not marked prepared
 * (asked again on a later tick), an accepted one is not asked again.
 */
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema, type ExecutionEvent, type PreExecuteCommand } from '../../src/core/model/index.js';
import { createForecaster } from '../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import type { NextStepModel } from '../../src/core/predict/types.js';
import { createControllerTick, prefetchSelectionFrom } from '../../src/app/tick.js';
import type { PrepareOutcome, Preparer } from '../../src/ports/preparer.js';
import { task, workflow } from '../builders/tasks.js';
import { simCloud, T0 } from '../sim/sim-cloud-setup.js';

const wf = workflow('etl', [
  task('a', [], { runtime: { meanSec: 2000, p50Sec: 2000, p95Sec: 2500, samplesSec: [] } }),
  task('b', ['a'], { prepare: 'module:./tasks/b.js#prepare', setupShare: 0.5 }),
]);
const expectsB: NextStepModel = {
  name: 'expects-b',
  observe: () => undefined,
  predict: (ctx) => [{ taskType: 'b', probability: 0.9, expectedStartInSec: Math.max(0, T0 + 600 - ctx.nowSec) }],
  toJSON: () => ({}),
};

async function ticks(answer: PrepareOutcome['status']): Promise<{ asked: PreExecuteCommand[]; appliedByCloud: number; statuses: string[] }> {
  const { cloud, clock, advanceTo, pool } = simCloud();
  const asked: PreExecuteCommand[] = [];
  const preparer: Preparer = { prepare: async (c) => { asked.push(c); return { commandId: c.id, status: answer, ...(answer === 'rejected' ? { reason: 'no execution' } : {}) }; } };
  const exec: ExecutionEvent[] = [
    { chainId: 'c1', workflow: 'etl', variant: 'default', taskId: 'a', taskType: 'a', kind: 'submitted', atSec: T0 - 10 },
    { chainId: 'c1', workflow: 'etl', variant: 'default', taskId: 'b', taskType: 'b', kind: 'submitted', atSec: T0 - 10 },
    { chainId: 'c1', workflow: 'etl', variant: 'default', taskId: 'a', taskType: 'a', kind: 'started', atSec: T0 - 10 },
  ];
  const config = ControllerConfigSchema.parse({ mode: 'active', pools: [pool], workflows: [wf], prefetch: { enabled: true, probabilityThreshold: 0.3, topN: 2, ttlSec: 900, latencyValueUsdPerHour: 100 } });
  const tick = createControllerTick({
    clock, metrics: { fetch: async () => [] }, cloud, forecaster: createForecaster('seasonal-naive'), nextStep: expectsB, planner: createGreedyPlanner({ tickSec: 60 }), config,
    events: { drainCloudEvents: async () => [], executionEvents: async (x, y) => exec.filter((e) => e.atSec >= x && e.atSec < y) },
    options: { prefetch: prefetchSelectionFrom(config.prefetch) }, preparer,
  });
  const statuses: string[] = [];
  let appliedByCloud = 0; // results of the cloud provider for a preparation's id (never: preparations are not commands)
  for (let t = T0; t <= T0 + 180; t += 60) {
    advanceTo(t);
    const r = await tick.run();
    for (const x of r.preparations) statuses.push(x.status);
    if (r.results.some((x) => asked.some((c) => c.id === x.commandId))) appliedByCloud++;
  }
  return { asked, appliedByCloud, statuses };
}

describe('tick with a Preparer', () => {
  it('hands pre-execute commands to the preparer, never to the cloud, and asks once when accepted', async () => {
    const { asked, appliedByCloud, statuses } = await ticks('accepted');
    expect(appliedByCloud).toBe(0);
    expect(asked.map((c) => `${c.chainId}/${c.taskId}`)).toEqual(['c1/b']);
    expect(statuses).toEqual(['accepted']);
  });

  it('asks again on later ticks when the preparer rejected the command', async () => {
    const { asked, appliedByCloud, statuses } = await ticks('rejected');
    expect(appliedByCloud).toBe(0);
    expect(asked.length).toBeGreaterThan(1);
    expect(new Set(statuses)).toEqual(new Set(['rejected']));
  });
});
