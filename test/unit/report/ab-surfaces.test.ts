/**
 * The A/B test of prefetch configurations where users see it (issue 22): `prescale export-report --ab`
 * (report.json, report.md, report.html of a live deployment), the report.html chart, and the
 * `prescale backtest --ab` flag's parsing and printed verdict.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLiveReport } from '../../../src/adapters/report/index.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { chainKey, executionKey, type ChainRecord, type ExecutionRecord } from '../../../src/app/chains/records.js';
import { parseReportJson } from '../../../src/app/report/html/index.js';
import { abTestFromFlag, abTestText, DEFAULT_AB_TEST } from '../../../src/cli/commands/backtest-ab.js';
import { InputError, WorkflowSchema } from '../../../src/core/model/index.js';
import { AbTestConfigSchema } from '../../../src/core/model/learning-config.js';
import { abArmOf } from '../../../src/core/predict/ab-selection.js';
import { LIVE_T0 as T0 } from './live-fixture.js';

const root = mkdtempSync(path.join(tmpdir(), 'prescale-ab-surfaces-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const wf = WorkflowSchema.parse({ name: 'etl', variants: [{ name: 'spot', defaultPool: 'batch', tasks: [
  { task_id: 'a', executable_code_location: 'command:a', resource_requirements: { vcpu: 2, memoryGiB: 2 }, runtime: { meanSec: 600, p50Sec: 600, p95Sec: 700 } },
  { task_id: 'b', executable_code_location: 'command:b', dependencies: ['a'], prepare: 'command:pb', setupShare: 0.25, resource_requirements: { vcpu: 4, memoryGiB: 2 }, runtime: { meanSec: 600, p50Sec: 600, p95Sec: 700 } },
] }] });
const ab = AbTestConfigSchema.parse({ arms: [{ name: 'control' }, { name: 'wide', topN: 3 }], control: 'control' });

function exec(i: number, principal: string, resumed: boolean): ExecutionRecord {
  const t = T0 + 60 * i;
  return {
    executionId: `e${i}`, chainId: `chain-${i}`, principalId: principal, input: {}, status: 'succeeded', variant: 'spot', decisions: [], switches: [],
    steps: {
      a: { taskId: 'a', status: 'succeeded', poolId: 'batch', market: 'spot', attempts: 1, startedAtSec: t, finishedAtSec: t + 600, costUsd: 0.01 },
      b: { taskId: 'b', status: 'succeeded', poolId: 'batch', market: 'spot', attempts: 1, startedAtSec: t + 600, finishedAtSec: t + (resumed ? 1050 : 1200), costUsd: 0.01, setup: { outcome: resumed ? 'resumed' : 'not-prepared', savedSec: resumed ? 150 : 0 } },
    },
    costUsd: 0.02, expectedCostUsd: 0.02, createdAtSec: t, updatedAtSec: t + 1200,
  } as ExecutionRecord;
}

describe('A/B surfaces', () => {
  it('export-report --ab: per-arm hit rate, setup saved, waste and latency with the tests against the control, in report.json, report.md and report.html', async () => {
    const store = new SqliteStateStore(':memory:');
    const principals = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    let n = 0;
    for (const p of principals) {
      const arm = abArmOf({ chainId: 'x', principal: p }, ab);
      // the wide arm resumes 90 % of its steps, the control 30 %
      const r = exec(n, p, arm === 'wide' ? n % 10 !== 0 : n % 10 < 3);
      n++;
      const chain: ChainRecord = { chainId: r.chainId, principalId: p, source: 'catalog', workflow: wf, createdAtSec: r.createdAtSec };
      await store.put('chains', chainKey(p, r.chainId), chain);
      await store.put('executions', executionKey(p, r.chainId, r.executionId), r);
    }
    // a preparation the tick made whose step never ran: wasted (150 setup s × 4 vCPU)
    await store.append('decisions', [{ atSec: T0 + 30, kind: 'prefetch', subject: 'chain-0', chosen: 'zzz', reason: '[arm wide] p=0.5' }]);
    const out = path.join(root, 'live');
    await exportLiveReport(store, out, { fromSec: T0, toSec: T0 + 86_400, bucketSec: 300, source: 'test', abTest: ab });
    await store.close();
    const report = parseReportJson(readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
    const a = report.policies[0].abTest!;
    expect(a.control).toBe('control');
    expect(a.tests).toMatch(/z-test.*Welch/);
    const [ctrl, wide] = a.arms;
    expect(ctrl.chains + wide.chains).toBe(200);
    expect(wide.preparations).toBe(wide.chains + 1);
    expect(wide.wastedCpuSec).toBeGreaterThanOrEqual(600);
    expect(wide.hitRate).toBeGreaterThan(0.8);
    expect(ctrl.hitRate).toBeLessThan(0.4);
    expect(wide.hitRatePValue).toBeLessThan(0.001);
    expect(wide.latencyDeltaSec).toBeLessThan(0);
    expect(a.winner).toMatchObject({ arm: 'wide', metric: 'hitRate' });
    expect(a.winner.confidence).toBeGreaterThan(0.999);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('## A/B test of prefetch configurations');
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-chart="ab-test"');
    expect(html).toContain('Winner: wide, confidence');
  });

  it('report.html has no A/B figure when no policy ran an A/B test', async () => {
    const store = new SqliteStateStore(':memory:');
    const r = exec(0, 'alice', true);
    await store.put('chains', chainKey('alice', r.chainId), { chainId: r.chainId, principalId: 'alice', source: 'catalog', workflow: wf, createdAtSec: r.createdAtSec } satisfies ChainRecord);
    await store.put('executions', executionKey('alice', r.chainId, r.executionId), r);
    const out = path.join(root, 'plain');
    await exportLiveReport(store, out, { fromSec: T0, toSec: T0 + 86_400, source: 'test' });
    await store.close();
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).not.toContain('ab-test');
    expect(parseReportJson(readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json').policies[0].abTest).toBeUndefined();
  });

  it('backtest --ab: no file compares the defaults with a wider arm; a file holds the arms or a config with prefetch.abTest; a bad one is an InputError naming --ab', async () => {
    expect(await abTestFromFlag(true)).toBe(DEFAULT_AB_TEST);
    expect(await abTestFromFlag(undefined)).toBeUndefined();
    const cfg = path.join(root, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ prefetch: { abTest: { arms: [{ name: 'c' }, { name: 'm', model: { kind: 'markov1' } }] } } }));
    expect((await abTestFromFlag(cfg))!.arms[1]).toEqual({ name: 'm', model: { kind: 'markov1' } });
    const bad = path.join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ arms: [{ name: 'only' }] }));
    await expect(abTestFromFlag(bad)).rejects.toThrow(InputError);
    await expect(abTestFromFlag(bad)).rejects.toThrow(/--ab arms/);
    await expect(abTestFromFlag(path.join(root, 'missing.json'))).rejects.toThrow(/--ab/);
  });

  it('backtest --ab prints every arm and the winner with its confidence, and says when an arm got no chain', () => {
    const arm = (name: string, chains: number, hitRate: number, p: number | null) => ({
      name, chains, preparations: chains * 2, hits: Math.round(chains * 2 * hitRate), hitRate, setupSecSaved: 100, wastedCpuSec: 50, wastedUsd: 0.001, savedPerWastedCpuSec: 2,
      latencySec: { n: chains, mean: 300, p95: 400 }, hitRateDelta: hitRate - 0.5, hitRatePValue: p, latencyDeltaSec: 0, latencyPValue: null,
    });
    const report = { policies: [{ policy: 'prescale', abTest: { control: 'control', tests: 'z and Welch', arms: [arm('control', 50, 0.5, null), arm('wide', 50, 0.7, 0.001), arm('narrow', 0, 0, null)], winner: { arm: 'wide', metric: 'hitRate' as const, confidence: 0.999, reason: 'hit rate 70.0 % vs 50.0 %' } } }] };
    const text = abTestText(report as never);
    expect(text).toMatch(/^control\*\s+50\s+100\s+50\.0%/m);
    expect(text).toContain('A/B winner: wide with confidence 99.9 %');
    expect(text).toContain('no chain was assigned to narrow');
  });
});
