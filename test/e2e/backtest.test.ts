/**
 * End to end: the backtest on a short default scenario, through the same writer the CLI uses.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOutcome } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { writeBacktestReport } from '../../src/sim/write-report.js';
import type { BacktestReport } from '../../src/app/report/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'prescale-bt-'));
  dirs.push(d);
  return d;
}

describe('backtest on the default scenario (half a day)', () => {
  let outcome: BacktestOutcome;
  let out: string;
  beforeAll(async () => {
    outcome = await runBacktest(defaultScenario({ days: 0.5, seed: 7 }));
    out = path.join(tempDir(), 'run');
    writeBacktestReport(outcome, out);
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('writes report.md, report.json and timeline.csv with every policy', () => {
    for (const f of ['report.md', 'report.json', 'timeline.csv']) expect(existsSync(path.join(out, f))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as BacktestReport;
    expect(report.policies.map((p) => p.policy)).toEqual(['reactive', 'predictive-hourly', 'prescale', 'oracle']);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('| oracle |');
  });

  it('gives byte-identical report.json and timeline.csv for the same seed', async () => {
    const again = path.join(tempDir(), 'again');
    writeBacktestReport(await runBacktest(defaultScenario({ days: 0.5, seed: 7 })), again);
    expect(readFileSync(path.join(again, 'report.json'))).toEqual(readFileSync(path.join(out, 'report.json')));
    expect(readFileSync(path.join(again, 'timeline.csv'))).toEqual(readFileSync(path.join(out, 'timeline.csv')));
  });

  it('reports per policy the cost that the timeline sums to', () => {
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as BacktestReport;
    const lines = readFileSync(path.join(out, 'timeline.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,policy,pool,demand_units,ready_units,pending_units,spot_units,ondemand_units,cost_usd');
    const sums = new Map<string, number>();
    for (const l of lines.slice(1)) {
      const f = l.split(',');
      sums.set(f[1], (sums.get(f[1]) ?? 0) + Number(f[8]));
    }
    for (const p of report.policies) {
      expect(p.cost.totalUsd).toBeGreaterThan(0);
      expect(Math.abs(p.cost.totalUsd - sums.get(p.policy)!)).toBeLessThan(1e-4);
      expect(Math.abs(p.cost.totalUsd - p.cost.spotUsd - p.cost.onDemandUsd - p.cost.cacheUsd)).toBeLessThan(2e-4);
    }
  });

  it('completes every submitted task and chain under every policy', () => {
    for (const p of outcome.report.policies) {
      expect(p.tasksSubmitted).toBeGreaterThan(0);
      expect(p.tasksCompleted).toBe(p.tasksSubmitted);
      expect(p.chainsCompleted).toBe(p.chainsSubmitted);
    }
  });

  it('lets the oracle serve all demand, its steps waiting at most its longest wait budget, and no policy serving all demand costs less', () => {
    const oracle = outcome.report.policies.find((p) => p.policy === 'oracle')!;
    expect(oracle.unmetDemandUnitSec).toBe(0);
    expect(oracle.chainsCompleted).toBe(oracle.chainsSubmitted);
    // its cheapest strategy may let steps queue for capacity freeing within 30 minutes (sim/policies/oracle.ts), re-checked each tick
    expect(oracle.stepWait.maxSec).toBeLessThanOrEqual(1800 + 60);
    for (const p of outcome.report.policies) {
      if (p.unmetDemandUnitSec === 0) expect(p.cost.totalUsd).toBeGreaterThanOrEqual(oracle.cost.totalUsd);
      expect(p.cost.totalUsd).toBeGreaterThanOrEqual(oracle.cost.totalUsd);
    }
  });

  it('shows prescale forecasting, predicting next steps and pre-executing', () => {
    const p = outcome.report.policies.find((x) => x.policy === 'prescale')!;
    expect(p.forecastError?.metric).toBe('sMAPE');
    expect(p.nextStep!.predictions).toBeGreaterThan(0);
    expect(p.prefetch!.preparations).toBeGreaterThan(0);
    expect(p.decisionCounts.plan).toBeGreaterThan(0);
  });
});

describe('backtest with frequent spot interruptions', () => {
  it('re-queues killed tasks and still completes every one of them', async () => {
    // composer off: chains stay on their spot variant, so reclaimed tasks re-queue (switches are covered in backtest-compose.test.ts)
    const base = defaultScenario({ days: 0.25, seed: 3 });
    const sc = { ...base, hazardMultiplier: 5000, composer: { ...base.composer, enabled: false } };
    const { report } = await runBacktest(sc, { policies: ['reactive', 'oracle'] });
    const interrupted = report.policies.reduce((s, p) => s + p.spotInterruptions, 0);
    expect(interrupted).toBeGreaterThan(0);
    expect(report.policies.reduce((s, p) => s + p.tasksRequeued, 0)).toBeGreaterThan(0);
    for (const p of report.policies) expect(p.tasksCompleted).toBe(p.tasksSubmitted);
  });
});
