import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bucketize, buildChartSpecs, chooseBucketSec, renderReportHtml, seriesColorsWithData, splitCostByMarket, type ChartRenderer, type ReportData,
} from '../../../src/app/report/html/index.js';
import { readReportDir } from '../../../src/adapters/report/index.js';
import { writeFixtureDir } from './fixture.js';

/** A renderer that records what it was asked to draw (the page builder is pure; echarts is tested in e2e). */
const fakeRender: ChartRenderer = (option, w, h, id) => `<svg viewBox="0 0 ${w} ${h}" data-id="${id}" data-series="${(option.series as unknown[]).length}"></svg>`;

describe('report charts and page (pure)', () => {
  let full: ReportData;
  let bare: ReportData;
  const dirs: string[] = [];

  beforeAll(async () => {
    for (const extras of [true, false]) dirs.push((await writeFixtureDir(mkdtempSync(path.join(tmpdir(), 'prescale-charts-')), { extras })).dir);
    full = await readReportDir(dirs[0]);
    bare = await readReportDir(dirs[1]);
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('picks a bucket that keeps time charts to a few hundred points', () => {
    expect(chooseBucketSec(86_400, 60)).toBe(300);
    expect(chooseBucketSec(7 * 86_400, 60)).toBe(1800);
    expect(chooseBucketSec(3600, 300)).toBe(300);
    expect(bucketize([{ t: 0, v: 1 }, { t: 59, v: 3 }, { t: 130, v: 5 }], 0, 60, 'mean')).toEqual([[0, 2], [120_000, 5]]);
    expect(bucketize([{ t: 0, v: 1 }, { t: 59, v: 3 }], 0, 60, 'sum')).toEqual([[0, 4]]);
  });

  it('gives the four hourly cost panels one shared y-axis', () => {
    const spec = buildChartSpecs(full).find((x) => x.id === 'cost-per-hour')!;
    const axes = spec.option!.yAxis as Array<{ min?: number; max?: number }>;
    expect(axes).toHaveLength(4);
    expect(new Set(axes.map((a) => `${a.min}-${a.max}`)).size).toBe(1);
    expect(axes[0].max).toBeGreaterThan(0);
    expect(spec.caption).toMatch(/every panel has the same y-axis/);
  });

  it('opens the page with the verdict, then the recommendation, before the policy table', () => {
    const html = renderReportHtml(full, fakeRender);
    const at = (s: string) => html.indexOf(s);
    expect(at('id="verdict"')).toBeGreaterThan(0);
    expect(at('id="verdict"')).toBeLessThan(at('id="summary"'));
    expect((html.match(/<li data-question=/g) ?? []).length).toBe(5);
    expect((html.match(/data-card="(cost|wait|unmet|spot)"/g) ?? []).length).toBe(4);
    expect(html).toContain('cache (USD)');
    expect(html).toContain('USD per 1,000 chains');
    // no non-zero figure reads $0.00: every $0.00 cell sorts as a real zero
    for (const m of html.matchAll(/data-sort="([^"]*)">\$0\.00</g)) expect(Number(m[1])).toBe(0);
  });

  it('draws every chart when all files are present', () => {
    const specs = buildChartSpecs(full);
    expect(specs.map((s) => s.id)).toEqual(['capacity-web', 'capacity-batch', 'cost-per-hour', 'cumulative-cost', 'spot-share', 'wait', 'forecast-error', 'next-step', 'calibration', 'events']);
    for (const s of specs) {
      expect(s.missing, s.id).toBeUndefined();
      expect(seriesColorsWithData(s.option!).length, s.id).toBeGreaterThan(0);
    }
    const web = specs[0].option!.series as Array<{ name: string }>;
    expect(web.map((x) => x.name)).toContain('forecast p10–p90 (prescale)');
  });

  it('replaces charts whose optional file is absent by a note naming the file, never an empty chart', () => {
    const specs = new Map(buildChartSpecs(bare).map((s) => [s.id, s]));
    expect(specs.get('forecast-error')!.option).toBeUndefined();
    expect(specs.get('forecast-error')!.missing).toContain('forecast.csv is absent');
    expect(specs.get('forecast-error')!.missing).toContain('prescale sMAPE 8.5%');
    expect(specs.get('events')!.option).toBeUndefined();
    expect(specs.get('events')!.missing).toContain('events.csv is absent');
    expect(specs.get('capacity-web')!.caption).toContain('No forecast band');
    const html = renderReportHtml(bare, fakeRender);
    expect(html).toContain('attribution.csv is absent');
    expect(html.match(/<svg role="img"/g)).toHaveLength(8);
  });

  it('splits cost by market so that the parts add up to each row\'s cost, in proportion to priced units', () => {
    const rows = full.timeline.filter((r) => r.policy === 'prescale');
    const { split, estimated } = splitCostByMarket(rows, full.report.policies.find((p) => p.policy === 'prescale'));
    expect(estimated).toBe(true);
    rows.forEach((r, i) => expect(split[i][0] + split[i][1]).toBeCloseTo(r.cost_usd, 9));
    const spot = split.reduce((a, s) => a + s[0], 0);
    expect(spot).toBeCloseTo(full.report.policies.find((p) => p.policy === 'prescale')!.cost.spotUsd, 2);
    const exact = splitCostByMarket([{ ...rows[5], spot_cost_usd: 0.1, ondemand_cost_usd: 0.2 }], undefined);
    expect(exact).toEqual({ split: [[0.1, 0.2]], estimated: false });
  });

  it('escapes names from the files and gives the same bytes for the same input', () => {
    const evil: ReportData = { ...bare, report: { ...bare.report, scenario: { ...bare.report.scenario, name: '<script>alert(1)</script>' } } };
    const a = renderReportHtml(evil, fakeRender);
    expect(a).not.toContain('<script>alert');
    expect(a).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(renderReportHtml(evil, fakeRender)).toBe(a);
    expect(a.match(/<script>/g)).toHaveLength(1);
  });
});
