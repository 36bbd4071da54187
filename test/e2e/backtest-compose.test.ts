/**
 * End to end: the backtest composes chains with the composer, switches variants on spot interruption
 * notices, accounts prefetch hits and waste, and writes the extra report files deterministically.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOutcome } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { writeBacktestReport, writeBacktestReportWithHtml } from '../../src/sim/write-report.js';
import { parseAttributionCsv, parseEventsCsv, parseForecastCsv } from '../../src/app/report/html/extras.js';
import type { BacktestReport } from '../../src/app/report/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'prescale-btc-'));
const scenario = () => ({ ...defaultScenario({ days: 0.25, seed: 3 }), hazardMultiplier: 5000 });
const EXTRA = ['forecast.csv', 'events.csv', 'attribution.csv'];

describe('backtest with the composer and frequent spot interruptions', () => {
  let outcome: BacktestOutcome;
  let out: string;
  let report: BacktestReport;
  beforeAll(async () => {
    outcome = await runBacktest(scenario(), { policies: ['reactive', 'prescale'] });
    out = path.join(root, 'run');
    writeBacktestReport(outcome, out);
    report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as BacktestReport;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports the composed variant choice of every arriving chain, per workflow and variant', () => {
    const arrivals = scenario().arrivals.length;
    for (const p of report.policies) {
      const v = p.variants!;
      expect(Object.keys(v.choices).every((k) => /^(etl|ml-train|report)\/(spot-batch|on-demand)$/.test(k))).toBe(true);
      expect(Object.values(v.choices).reduce((a, b) => a + b, 0) + v.chainsDenied!).toBe(arrivals);
      expect(p.chainsSubmitted).toBe(arrivals - v.chainsDenied!);
      expect(p.decisionCounts.compose).toBe(arrivals);
      expect(Object.keys(p.attribution!.byPrincipal)).toEqual(['tenant-1', 'tenant-2', 'tenant-3', 'tenant-4']);
    }
  });

  it('switches a chain to the on-demand variant on an interruption notice and records why', () => {
    const reactive = report.policies.find((p) => p.policy === 'reactive')!;
    expect(reactive.variants!.switches).toBeGreaterThan(0);
    expect(reactive.variants!.switchReasons['spot-interruption']).toBe(reactive.variants!.switches);
    expect(reactive.decisionCounts.switch).toBeGreaterThanOrEqual(reactive.variants!.switches);
    const events = parseEventsCsv(readFileSync(path.join(out, 'events.csv'), 'utf8'), 'events.csv');
    const sw = events.filter((e) => e.kind === 'variant-switch' && e.policy === 'reactive');
    expect(sw).toHaveLength(reactive.variants!.switches);
    expect(sw[0].detail).toMatch(/spot-batch -> on-demand: spot capacity of pool batch received an interruption notice/);
    expect(events.some((e) => e.kind === 'spot-interruption')).toBe(true);
    for (const p of report.policies) expect(p.tasksCompleted).toBe(p.tasksSubmitted);
  });

  it('shows saved setup and wasted cost for prescale and no prefetch for the others', () => {
    const pre = report.policies.find((p) => p.policy === 'prescale')!.prefetch!;
    expect(pre.hits).toBeGreaterThan(0);
    expect(pre.setupSecSaved).toBeGreaterThan(0);
    expect(pre.wastedUsd).toBeGreaterThan(0);
    expect(pre.hits + pre.aborted! + pre.expired! + pre.evicted!).toBe(pre.preparations);
    expect(report.policies.find((p) => p.policy === 'reactive')!.prefetch).toBeNull();
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| reactive | no prefetch |');
    expect(md).toContain('## Workflow variants');
    const events = parseEventsCsv(readFileSync(path.join(out, 'events.csv'), 'utf8'), 'events.csv');
    expect(events.filter((e) => e.kind === 'prefetch-hit')).toHaveLength(pre.hits);
  });

  it('writes attribution.csv matching the chains and the per-principal cost in report.json', () => {
    const rows = parseAttributionCsv(readFileSync(path.join(out, 'attribution.csv'), 'utf8'), 'attribution.csv');
    for (const p of report.policies) {
      const mine = rows.filter((r) => r.policy === p.policy);
      expect(mine.reduce((s, r) => s + r.chains, 0)).toBe(p.chainsSubmitted);
      for (const [principal, a] of Object.entries(p.attribution!.byPrincipal)) {
        const usd = mine.filter((r) => r.principal === principal).reduce((s, r) => s + r.cost_usd, 0);
        expect(Math.abs(usd - a.costUsd)).toBeLessThan(1e-3);
      }
    }
    expect(parseForecastCsv(readFileSync(path.join(out, 'forecast.csv'), 'utf8'), 'forecast.csv')).toHaveLength(outcome.extras!.forecast.length);
  });

  it('gives byte-identical report files for the same seed, report.html included', async () => {
    const again = path.join(root, 'again');
    const written = await writeBacktestReportWithHtml(await runBacktest(scenario(), { policies: ['reactive', 'prescale'] }), again);
    expect(written.files.map((f) => path.basename(f))).toContain('report.html');
    for (const f of ['report.json', 'report.md', 'timeline.csv', ...EXTRA]) expect(readFileSync(path.join(again, f))).toEqual(readFileSync(path.join(out, f)));
    expect(readFileSync(path.join(again, 'report.html'), 'utf8')).toContain('<html');
    expect(readdirSync(root).filter((d) => d.includes('.tmp-'))).toEqual([]);
  });
});
