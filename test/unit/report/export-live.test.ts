import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAttributionCsv, parseEventsCsv, parseReportJson, parseTimelineCsv } from '../../../src/app/report/html/index.js';
import { exportLiveReport } from '../../../src/adapters/report/index.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { LIVE_T0 as T0, seedLiveStore } from './live-fixture.js';

describe('prescale export-report (live state store → report directory)', () => {
  let out: string;
  let files: string[];
  beforeAll(async () => {
    out = path.join(mkdtempSync(path.join(tmpdir(), 'prescale-export-live-')), 'live');
    const store = new SqliteStateStore(':memory:');
    await seedLiveStore(store);
    files = await exportLiveReport(store, out, { fromSec: T0, toSec: T0 + 3 * 3600, bucketSec: 300, source: 'state store test' });
    await store.close();
  });
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  it('writes the backtest directory format plus report.html for the executions in the window', () => {
    expect(files.map((f) => path.basename(f))).toEqual(['report.json', 'report.md', 'timeline.csv', 'events.csv', 'attribution.csv', 'report.html']);
    const report = parseReportJson(readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
    expect(report.policies).toHaveLength(1);
    const p = report.policies[0];
    expect(p.cost).toEqual({ totalUsd: 0.27, spotUsd: 0.05, onDemandUsd: 0.22, cacheUsd: 0 });
    expect(p.chainsSubmitted).toBe(2);
    expect(p.tasksRequeued).toBe(1);
    expect(p.stepWait).toMatchObject({ count: 4, maxSec: 60 });
    expect(p.decisionCounts).toEqual({ compose: 1, plan: 1 });
    expect(p.variants).toEqual({ choices: { 'etl/od': 1, 'etl/spot': 1 }, switches: 1, switchReasons: { 'spot-interruption': 1 } });
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg role="img"');
  });

  it('spreads each step\'s cost over the buckets it ran in, by market, adding up to report.json\'s totals', () => {
    const rows = parseTimelineCsv(readFileSync(path.join(out, 'timeline.csv'), 'utf8'), 'timeline.csv');
    expect(rows).toHaveLength(36);
    const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
    expect(sum((r) => r.cost_usd)).toBeCloseTo(0.27, 5);
    expect(sum((r) => r.spot_cost_usd!)).toBeCloseTo(0.05, 5);
    const busy = rows.find((r) => r.timestamp === T0 + 600)!; // covers [T0 + 300, T0 + 600): only e1's step a (2 vCPU, spot)
    expect(busy).toMatchObject({ pool: 'batch', spot_units: 2, ondemand_units: 0, ready_units: 2 });
  });

  it('lists variant switches and spot interruptions as events, and cost per principal and workflow', () => {
    const events = parseEventsCsv(readFileSync(path.join(out, 'events.csv'), 'utf8'), 'events.csv');
    expect(events.map((e) => [e.timestamp, e.kind])).toEqual([[T0 + 2200, 'spot-interruption'], [T0 + 2200, 'variant-switch']]);
    const attribution = parseAttributionCsv(readFileSync(path.join(out, 'attribution.csv'), 'utf8'), 'attribution.csv');
    expect(attribution).toEqual([
      { policy: 'prescale', principal: 'alice', workflow: 'etl', chains: 1, cost_usd: 0.12 },
      { policy: 'prescale', principal: 'bob', workflow: 'etl', chains: 1, cost_usd: 0.15 },
    ]);
  });
});
