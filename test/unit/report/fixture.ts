/**
 * A complete, deterministic report directory for the HTML report's tests: report.json (through the
 * backtest's own report builder), timeline.csv, and every optional extra (forecast.csv, events.csv,
 * attribution.csv), one simulated day at 5-minute ticks with four policies and two pools.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildReport, reportJson, timelineHeader, timelineLine, type PolicyRawResult, type TimelineRow } from '../../../src/app/report/index.js';
import type { AttributionRow, EventRow, ForecastRow } from '../../../src/app/report/html/index.js';
import { writeReportExtras } from '../../../src/adapters/report/index.js';
import { ReliabilityTracker } from '../../../src/core/predict/calibration.js';
import { calibrationSummaryOf } from '../../../src/app/history/calibration-report.js';
import type { CalibrationSummary } from '../../../src/app/report/types.js';

/** Monday 2026-01-05 00:00 UTC. */
export const FIXTURE_START_SEC = 1_767_571_200;
const TICK = 300;
const POLICIES = [
  { name: 'reactive', readyFactor: 1.0, lag: 2, spotShare: 0.5, waits: [0, 30, 95, 180] },
  { name: 'predictive-hourly', readyFactor: 1.15, lag: 0, spotShare: 0.55, waits: [0, 10, 60, 120] },
  { name: 'prescale', readyFactor: 1.08, lag: 0, spotShare: 0.7, waits: [0, 0, 5, 20] },
  { name: 'oracle', readyFactor: 1.0, lag: 0, spotShare: 1, waits: [0, 0, 0, 0] },
];

function demandAt(pool: string, k: number): number {
  const daily = Math.sin((2 * Math.PI * k) / 288 - Math.PI / 2);
  return pool === 'web' ? 30 + 14 * daily + 3 * Math.sin(k / 3) : Math.max(0, 8 + 6 * Math.sin(k / 11) + 4 * daily);
}

/** What {@link writeFixtureDir} wrote. */
export interface Fixture {
  readonly dir: string;
  readonly timeline: TimelineRow[];
  readonly forecast: ForecastRow[];
  readonly events: EventRow[];
  readonly attribution: AttributionRow[];
}

/**
 * Writes the fixture into `dir` (created when missing).
 * @param opts.extras write forecast.csv, events.csv and attribution.csv @default true
 */
export async function writeFixtureDir(dir: string, opts: { extras?: boolean } = {}): Promise<Fixture> {
  mkdirSync(dir, { recursive: true });
  const ticks = 288;
  const timeline: TimelineRow[] = [];
  const raws: PolicyRawResult[] = [];
  for (const p of POLICIES) {
    let spotUsd = 0;
    let odUsd = 0;
    for (let k = 0; k <= ticks; k++) {
      for (const pool of ['web', 'batch']) {
        const demand = demandAt(pool, k);
        const ready = Math.max(0, demandAt(pool, Math.max(0, k - p.lag)) * p.readyFactor);
        const spot = Math.round(ready * p.spotShare);
        const od = Math.round(ready) - spot;
        const s = k === 0 ? 0 : (spot * 0.034 * TICK) / 3600;
        const o = k === 0 ? 0 : (od * 0.096 * TICK) / 3600;
        spotUsd += Number(s.toFixed(6));
        odUsd += Number(o.toFixed(6));
        timeline.push({
          timestamp: FIXTURE_START_SEC + k * TICK, policy: p.name, pool, demand_units: Number(demand.toFixed(4)), ready_units: Number(ready.toFixed(4)),
          pending_units: k % 12 === 0 ? 2 : 0, spot_units: spot, ondemand_units: od, cost_usd: Number((s + o).toFixed(6)),
        });
      }
    }
    const waitSec = Array.from({ length: 200 }, (_, i) => p.waits[Math.min(3, Math.floor((i * i) / 10_000 * 4))] + (i % 7));
    raws.push({
      policy: p.name, spotUsd, onDemandUsd: odUsd, cacheUsd: 0, waitSec, makespanSec: waitSec.map((w) => 600 + w * 2),
      unmetDemandUnitSec: p.lag * 1000, idleUnitSec: 3600 * p.readyFactor, spotInterruptions: p.name === 'oracle' ? 0 : 3,
      tasksRequeued: 1, tasksSubmitted: 200, tasksCompleted: 200, chainsSubmitted: 40, chainsCompleted: 40, launches: 30, terminations: 28,
      forecastError: p.name === 'prescale' || p.name === 'predictive-hourly' ? { metric: 'sMAPE', value: p.name === 'prescale' ? 8.5 : 14.2, points: 288, horizonSec: 3600 } : null,
      nextStep: p.name === 'prescale' ? { predictions: 150, hits: 121, hitRate: 121 / 150, calibration: fixtureCalibration() } : null,
      prefetch: p.name === 'prescale' ? { preparations: 60, hits: 48, setupSecSaved: 2880, wastedCpuSec: 720, wastedUsd: 0.0192 } : null,
      variants: null, decisionCounts: p.name === 'prescale' ? { plan: 576, prefetch: 60 } : {}, endSec: FIXTURE_START_SEC + ticks * TICK,
    });
  }
  const report = buildReport({
    name: 'fixture day', seed: 7, startSec: FIXTURE_START_SEC, endSec: FIXTURE_START_SEC + ticks * TICK, days: 1, tickSec: TICK,
    pools: ['web', 'batch'], series: ['web-requests'], workflows: ['etl', 'report'], sources: ['test fixture (test/unit/report/fixture.ts)'],
  }, raws, [
    'EC2 prices: on-demand from the ec2instances.info snapshot of 2024-04; spot estimated from Spot Advisor savings (2025-06). Billing per second with a 60 s minimum.',
    'Launch lead time is drawn uniformly in 60–180 s per instance.',
    'Spot interruptions arrive as a Poisson process at each offering\'s hazard with a 120 s notice.',
    'One capacity unit is one vCPU.',
  ]);
  writeFileSync(path.join(dir, 'report.json'), reportJson(report));
  writeFileSync(path.join(dir, 'timeline.csv'), timelineHeader() + timeline.map(timelineLine).join(''));
  const forecast: ForecastRow[] = [];
  const events: EventRow[] = [];
  for (const policy of ['predictive-hourly', 'prescale']) {
    for (let k = 1; k <= ticks; k++) {
      const d = demandAt('web', k) * (policy === 'prescale' ? 1.03 : 0.92);
      forecast.push({ timestamp: FIXTURE_START_SEC + k * TICK, policy, pool: 'web', p10_units: d * 0.85, p50_units: d, p90_units: d * 1.2 });
    }
  }
  for (let k = 7; k < ticks; k += 37) {
    events.push({ timestamp: FIXTURE_START_SEC + k * TICK + 13, policy: 'reactive', pool: 'batch', kind: 'spot-interruption', detail: 'm6i.xlarge us-east-1a' });
    events.push({ timestamp: FIXTURE_START_SEC + k * TICK + 40, policy: 'prescale', pool: 'batch', kind: 'spot-interruption', detail: 'm6a.xlarge us-east-1b, "reclaimed"' });
    events.push({ timestamp: FIXTURE_START_SEC + k * TICK + 90, policy: 'prescale', pool: 'batch', kind: 'variant-switch', detail: 'etl/spot-heavy -> etl/on-demand' });
  }
  for (let k = 3; k < ticks; k += 5) {
    events.push({ timestamp: FIXTURE_START_SEC + k * TICK, policy: 'prescale', pool: 'batch', kind: k % 4 === 0 ? 'prefetch-waste' : 'prefetch-hit', detail: 'etl/extract' });
  }
  const attribution: AttributionRow[] = [
    { policy: 'prescale', principal: 'alice', workflow: 'etl', chains: 14, cost_usd: 3.21 },
    { policy: 'prescale', principal: 'bob', workflow: 'report', chains: 9, cost_usd: 0.87 },
    { policy: 'prescale', principal: 'team-ml', workflow: 'etl', chains: 17, cost_usd: 5.5 },
    { policy: 'reactive', principal: 'alice', workflow: 'etl', chains: 14, cost_usd: 4.02 },
    { policy: 'reactive', principal: 'bob', workflow: 'report', chains: 9, cost_usd: 1.1 },
    { policy: 'reactive', principal: 'team-ml', workflow: 'etl', chains: 17, cost_usd: 7.25 },
  ];
  if (opts.extras !== false) await writeReportExtras(dir, { forecast, events, attribution });
  return { dir, timeline, forecast, events, attribution };
}

/** A calibration section from 600 deterministic (probability, outcome) pairs over six hours. */
export function fixtureCalibration(): CalibrationSummary {
  const used = new ReliabilityTracker();
  const raw = new ReliabilityTracker();
  for (let i = 0; i < 600; i++) {
    const p = ((i * 37) % 100) / 100;
    const came = ((i * 53) % 100) / 100 < p;
    used.observe(p, came, FIXTURE_START_SEC + i * 36);
    raw.observe(Math.min(1, p * 1.2), came, FIXTURE_START_SEC + i * 36);
  }
  return calibrationSummaryOf({
    outcomes: 600, cameTrue: used.summary().baseRate * 600, expired: 0, calibrated: true, raise: false, reliability: used.summary(), rawReliability: raw.summary(),
    latenessSec: { n: 100, p50: 4, p95: 30, meanAbs: 8 },
  });
}
