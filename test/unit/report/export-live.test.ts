import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainRecord, ExecutionRecord } from '../../../src/app/chains/records.js';
import { parseAttributionCsv, parseEventsCsv, parseReportJson, parseTimelineCsv } from '../../../src/app/report/html/index.js';
import { exportLiveReport } from '../../../src/adapters/report/index.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import type { Workflow } from '../../../src/core/model/index.js';

const T0 = 1_767_571_200;
const task = (id: string, deps: string[], vcpu: number) => ({
  task_id: id, executable_code_location: `s3://code/${id}.zip`, input_schema: {}, output_schema: {}, dependencies: deps,
  resource_requirements: { vcpu, memoryGiB: 2 }, prefetch_weight: 0.5, critical: false,
});
const etl = { name: 'etl', variants: [{ name: 'spot', tasks: [task('a', [], 2), task('b', ['a'], 4)], defaultPool: 'batch', poolBindings: {} }, { name: 'od', tasks: [task('a', [], 2), task('b', ['a'], 4)], defaultPool: 'batch', poolBindings: {} }] } as unknown as Workflow;

function execution(id: string, principal: string, createdAtSec: number, costA: number, costB: number, switched: boolean): ExecutionRecord {
  return {
    executionId: id, chainId: `chain-${id}`, principalId: principal, input: {}, status: 'succeeded', variant: switched ? 'od' : 'spot', decisions: [],
    steps: {
      a: { taskId: 'a', status: 'succeeded', poolId: 'batch', market: 'spot', attempts: switched ? 2 : 1, startedAtSec: createdAtSec + 30, finishedAtSec: createdAtSec + 630, costUsd: costA },
      b: { taskId: 'b', status: 'succeeded', poolId: 'batch', market: 'on-demand', attempts: 1, startedAtSec: createdAtSec + 690, finishedAtSec: createdAtSec + 1290, costUsd: costB },
    },
    switches: switched ? [{ atSec: createdAtSec + 400, from: 'spot', to: 'od', reason: 'spot-interruption' }] : [],
    costUsd: costA + costB, expectedCostUsd: costA + costB, createdAtSec, updatedAtSec: createdAtSec + 1290,
  };
}

describe('prescale export-report (live state store → report directory)', () => {
  let out: string;
  let files: string[];
  beforeAll(async () => {
    out = path.join(mkdtempSync(path.join(tmpdir(), 'prescale-export-live-')), 'live');
    const store = new SqliteStateStore(':memory:');
    const runs = [execution('e1', 'alice', T0 + 60, 0.02, 0.1, false), execution('e2', 'bob', T0 + 1800, 0.03, 0.12, true), execution('e3', 'alice', T0 + 9 * 86_400, 5, 5, false)];
    for (const r of runs) {
      const chain: ChainRecord = { chainId: r.chainId, principalId: r.principalId, source: 'catalog', workflow: etl, createdAtSec: r.createdAtSec };
      await store.put('chains', r.chainId, chain);
      await store.put('executions', `${r.chainId}/${r.executionId}`, r);
    }
    await store.append('decisions', [
      { atSec: T0 + 60, kind: 'plan', subject: 'batch', chosen: '1 command(s)', reason: 'x' },
      { atSec: T0 + 120, kind: 'compose', subject: 'chain-e1', chosen: 'spot', reason: 'y' },
    ]);
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
