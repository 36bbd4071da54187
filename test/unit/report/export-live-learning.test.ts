/**
 * issue 22: `prescale export-report` (and the scheduled report writer, same exportLiveReport) shows
 * the learning loop of a live deployment — the reliability curve per decile with counts, the Brier
 * score over time, and bundle members against single-step preparations — read from the tick memory
 * the controller saves (TickMemoryHolder, as the controller writes it). The input is real: a vom
 * next-step model in its feedback loop that learned and predicted 200 chains (b after a 7 times in 10,
 * c otherwise), and a bundle outcome book settled by the steps' start events.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLiveReport } from '../../../src/adapters/report/index.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { parseReportJson } from '../../../src/app/report/html/index.js';
import type { FeedbackModel } from '../../../src/core/predict/index.js';
import { LIVE_T0 as T0, seedLiveStore } from './live-fixture.js';
import { LAST_TICK, seedLearning } from './live-learning-fixture.js';

describe('prescale export-report: the learning loop from the saved tick memory', () => {
  let out: string;
  let model: FeedbackModel;
  beforeAll(async () => {
    out = path.join(mkdtempSync(path.join(tmpdir(), 'prescale-export-learning-')), 'live');
    const store = new SqliteStateStore(':memory:');
    await seedLiveStore(store);
    model = await seedLearning(store);
    await exportLiveReport(store, out, { fromSec: T0, toSec: T0 + 4 * 3600, bucketSec: 300, source: 'state store test' });
    await store.close();
  });
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  it('report.json has the reliability curve per decile with counts, the Brier score and its hourly buckets within the window', () => {
    const c = parseReportJson(readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json').policies[0].nextStep!.calibration!;
    const s = model.summary();
    expect(c.outcomes).toBe(s.outcomes);
    expect(c.outcomes).toBeGreaterThan(300); // b and c scored for (nearly) every chain
    expect(c.deciles).toHaveLength(10);
    expect(c.deciles.reduce((a, d) => a + d.n, 0)).toBe(s.reliability.n);
    // the model says ~0.7 for b and ~0.3 for c, and that is what came true
    const big = c.deciles.reduce((a, d) => (d.n > a.n ? d : a));
    expect(big.n).toBeGreaterThan(100);
    expect(Math.abs(big.meanPredicted - big.observed)).toBeLessThan(0.1);
    expect(c.brier).toBeCloseTo(s.reliability.brier, 4);
    expect(c.brier).toBeGreaterThan(0.1); // a 0.7 / 0.3 split scores about 0.21 once learned
    expect(c.brier).toBeLessThan(0.3);
    // 200 chains over 400 min: hourly buckets, cut to the 4 h window
    expect(c.brierOverTime.map((b) => b.startSec)).toEqual([T0, T0 + 3600, T0 + 7200, T0 + 10_800]);
    expect(c.brierOverTime.every((b) => b.n > 0 && b.brier > 0 && b.brier < 1)).toBe(true);
  });

  it('report.json has bundle members against single steps, commanded preparations only (the shadow one left out)', () => {
    const b = parseReportJson(readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json').policies[0].bundles!;
    expect(b).toEqual({
      asOfSec: LAST_TICK, edges: 1,
      // 8 hits × 20 s saved; 2 expired × 20 s × 2 vCPU wasted
      bundle: { settled: 10, hits: 8, hitRate: 0.8, setupSecSaved: 160, wastedCpuSec: 80, savedPerWastedCpuSec: 2 },
      // 5 hits × 20 s; 5 aborted 10 s after the command × 2 vCPU
      single: { settled: 10, hits: 5, hitRate: 0.5, setupSecSaved: 100, wastedCpuSec: 100, savedPerWastedCpuSec: 1 },
    });
  });

  it('report.html draws the reliability chart and the bundle chart; report.md has their tables', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    for (const id of ['calibration', 'bundles']) expect(html).toMatch(new RegExp(`data-chart="${id}"[^>]*>[\\s\\S]*?<svg role="img"`));
    expect(html).toContain('Bundles against single-step preparations');
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Calibration of next-step probabilities');
    expect(md).toContain('| bundle members | 10 | 8 | 80.0 % | 160 | 80 | 2.00 |');
    expect(md).toContain('| single steps | 10 | 5 | 50.0 % | 100 | 100 | 1.00 |');
    expect(md).toMatch(/saved tick memory saved after the tick of/);
  });

  it('a store without a saved tick memory gives neither section (the export is as before)', async () => {
    const store = new SqliteStateStore(':memory:');
    await seedLiveStore(store);
    const plain = path.join(path.dirname(out), 'plain');
    await exportLiveReport(store, plain, { fromSec: T0, toSec: T0 + 4 * 3600, bucketSec: 300, source: 'state store test' });
    await store.close();
    const p = parseReportJson(readFileSync(path.join(plain, 'report.json'), 'utf8'), 'report.json').policies[0];
    expect(p.nextStep).toBeNull();
    expect(p.bundles).toBeUndefined();
    expect(readFileSync(path.join(plain, 'report.html'), 'utf8')).not.toContain('data-chart="bundles"');
  });
});
