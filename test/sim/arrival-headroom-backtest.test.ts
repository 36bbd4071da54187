/**
 * Issue 19 item 6 at backtest level: on a periodic arrival trace the behaviour model predicts the
 * chains, and prescale with `arrivalHeadroom` holds capacity for their first steps ahead of them.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';

describe('prescale\'s arrival headroom in a backtest', () => {
  it('holds more ready capacity on the chains\' pool ahead of periodic arrivals, and the same seed gives the same run', async () => {
    const sc0 = defaultScenario({ days: 0.25, seed: 3 });
    const wf = sc0.workflows[0];
    // one chain every 2 minutes: predictable arrivals, about 1.5 per launch lead time
    const arrivals = Array.from({ length: Math.floor((0.25 * 86_400) / 120) }, (_, i) => ({ atSec: sc0.startSec + 30 + i * 120, chainId: `periodic-${i}`, workflow: wf.name, principal: sc0.arrivals[0].principal }));
    const sc = parseScenario({ ...sc0, arrivals });
    const pool = wf.variants[0].defaultPool;
    const run = async (on: boolean) => runBacktest(sc, { policies: ['prescale'], prescale: { arrivalHeadroom: on, burst: false } });
    const off = await run(false);
    const on = await run(true);
    const ready = (r: typeof on): number => r.timeline.filter((x) => x.pool === pool).reduce((s, x) => s + x.ready_units, 0);
    expect(ready(on)).toBeGreaterThan(ready(off));
    // the first steps wait less (seed 3: mean step wait 1.07 s off, 0.38 s on)
    expect(on.report.policies[0].stepWait.meanSec).toBeLessThan(off.report.policies[0].stepWait.meanSec);
    expect(on.report.policies[0].chainsSubmitted).toBe(arrivals.length);
    const again = await run(true);
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(on.report));
  }, 300_000);
});
