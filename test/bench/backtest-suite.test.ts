import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseVerdict, failedCases, gapDecomposition, metricServiceTable, oracleCheck, runSuite, suiteMarkdown } from '../../bench/backtest-suite.js';
import { SUITE_CASES } from '../../bench/suite/cases.js';
import { savedCase, writeAzureArrivals, type CaseResult } from '../../bench/suite/run-case.js';

const pol = (policy: string, costUsd: number, p95WaitSec: number) => ({ policy, costUsd, xLowerBound: costUsd / 10, xOracle: costUsd / 12, p95WaitSec, unmetUnitSec: 0, spotInterruptions: 0, launches: 1 });
const result = (id: string, prescaleUsd: number, prescaleWait: number): CaseResult => ({
  id, what: 'x', days: 1, seed: 1, chains: 1, tasks: 1, lowerBoundUsd: 10, wallSec: 1, belowBound: [],
  policies: [pol('reactive', 20, 100), pol('predictive-hourly', 25, 90), pol('karpenter', 15, 60), pol('prescale', prescaleUsd, prescaleWait), pol('oracle', 12, 0)],
});

describe('the backtest scenario suite', () => {
  it('resumes only from a finished case of the same days and seed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'suite-resume-'));
    const c = SUITE_CASES[0];
    const save = (body: unknown): void => writeFileSync(path.join(dir, `${c.id}.json`), JSON.stringify(body));
    save({ ...result(c.id, 14, 5), days: c.days, seed: c.seed });
    expect(savedCase(dir, c, c.days)?.policies).toHaveLength(5);
    expect(savedCase(dir, c, c.days + 1)).toBeUndefined();
    save({ ...result(c.id, 14, 5), days: c.days, seed: c.seed + 1 });
    expect(savedCase(dir, c, c.days)).toBeUndefined();
    save({ id: c.id, failed: true, reason: 'x' });
    expect(savedCase(dir, c, c.days)).toBeUndefined();
    expect(savedCase(dir, SUITE_CASES[1], SUITE_CASES[1].days)).toBeUndefined();
  });

  it('has at least 12 cases over fan-out and long-task families, with an Azure Functions arrival trace', () => {
    expect(SUITE_CASES.length).toBeGreaterThanOrEqual(12);
    const families = SUITE_CASES.flatMap((c) => c.workflows.join(' '));
    for (const f of ['montage', 'cycles', '1000genome', 'soykb', 'blast']) expect(families.some((x) => x.includes(f))).toBe(true);
    expect(SUITE_CASES.some((c) => c.azureInvocations)).toBe(true);
    expect(new Set(SUITE_CASES.map((c) => c.id)).size).toBe(SUITE_CASES.length);
  });

  it('persists a failed case as it finishes and lists it without failing the run', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'suite-out-'));
    const missing = mkdtempSync(path.join(os.tmpdir(), 'suite-nodata-'));
    const ids = SUITE_CASES.slice(0, 2).map((c) => c.id);
    const results = await runSuite({ dataDir: missing, cases: ids, threads: 1, outDir: out });
    expect(results).toEqual([]);
    expect(failedCases.map((f) => f.id)).toEqual(ids);
    for (const id of ids) {
      expect(existsSync(path.join(out, `${id}.json`))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(out, `${id}.failed.json`), 'utf8'))).toMatchObject({ id, failed: true });
    }
    expect(suiteMarkdown([result('a', 14, 10)])).toContain(`Cases that failed and are not in the figures above: ${ids[0]} (`);
  });

  it('meets the per-case goal only when cheaper than reactive and karpenter with a tenth of reactive\'s p95 wait', () => {
    expect(caseVerdict(result('a', 14, 10)).met).toBe(true);
    expect(caseVerdict(result('a', 16, 10))).toMatchObject({ met: false, cheaperKarpenter: false, cheaperReactive: true });
    expect(caseVerdict(result('a', 14, 11))).toMatchObject({ met: false, waitGoal: false });
  });

  it('reports median and worst × lower bound and flags policies under the bound', () => {
    const md = suiteMarkdown([result('a', 14, 10), { ...result('b', 30, 0), belowBound: [{ policy: 'karpenter', costUsd: 1, floorUsd: 2 }] }]);
    expect(md).toContain('median 2.200 (goal ≤ 1.15), worst 3.000');
    expect(md).toContain('Lower-bound check FAILED: b: karpenter 1.00 USD < floor 2.00 USD');
  });

  it('fails the oracle check for a cheaper policy that served all demand, or whose unmet demand priced at the on-demand price does not explain it, and lists the others apart', () => {
    const served = result('a', 11, 5);
    expect(oracleCheck([served])).toContain('Oracle check FAILED: real policies cheaper than the oracle even with their unmet metric demand priced at the on-demand price per unit: a: prescale 11.00 < oracle 12.00 USD');
    const unmet: CaseResult = { ...served, maxUsdPerUnitHour: 36, policies: served.policies.map((p) => (p.policy === 'prescale' ? { ...p, unmetUnitSec: 500 } : p)) };
    const text = oracleCheck([unmet]);
    // 500 unit-s at 36 USD per unit-hour are worth 5 USD: 11 + 5 ≥ 12, so the unmet demand explains it
    expect(text).toContain('Oracle check: no real policy is cheaper than the oracle in any case');
    expect(text).toContain('a: prescale 11.00 < oracle 12.00 USD, leaving 500 unit-s of metric demand unmet (worth at most 5.00 USD)');
    // priced at 0.36 USD per unit-hour they are worth 0.05 USD: the oracle is beaten
    const cheap = oracleCheck([{ ...unmet, maxUsdPerUnitHour: 0.36 }]);
    expect(cheap).toContain('Oracle check FAILED');
    expect(cheap).toContain('(worth at most 0.05 USD)');
  });

  it('decomposes the gap per pool: bound, oracle × bound, prescale × oracle, and each oracle strategy', () => {
    const r: CaseResult = {
      ...result('a', 14, 10), lowerBoundByPool: [{ poolId: 'web', usd: 4, relaxedUsd: 4 }, { poolId: 'batch', usd: 6, relaxedUsd: 6 }],
      oracleStrategies: [{ name: 's1', costUsd: 12, unmetDemandUnitSec: 0, allChainsCompleted: true, p95WaitSec: 0 }, { name: 's2', costUsd: 9, unmetDemandUnitSec: 3, allChainsCompleted: true, p95WaitSec: 0 }],
      policies: result('a', 14, 10).policies.map((p) => ({ ...p, poolUsd: p.policy === 'oracle' ? { web: 5, batch: 7 } : { web: 6, batch: 8 } })),
    };
    const rows = gapDecomposition([r]);
    expect(rows.at(-1)).toBe('| a | 4.00 → 5.00 (1.25) → 6.00 (1.20) | 6.00 → 7.00 (1.17) → 8.00 (1.14) | s1 12.00, s2 9.00 (infeasible) |');
  });

  it('lists each policy\'s minutes short on the web pool and its unmet metric demand, n/a where a saved result has no share', () => {
    const r: CaseResult = {
      ...result('a', 14, 10),
      policies: result('a', 14, 10).policies.map((p) => ({ ...p, unmetUnitSec: 7200, ...(p.policy === 'reactive' ? {} : { poolShortShare: { web: 0.0493, batch: 0.5 } }) })),
    };
    const rows = metricServiceTable([r]);
    const header = rows.find((x) => x.startsWith('| case |'))!.split(' | ');
    const row = rows.at(-1)!.split(' | ');
    expect(row[header.indexOf('prescale')]).toBe('4.93 (2.00)');
    expect(row[header.indexOf('reactive')]).toBe('n/a (2.00)');
  });

  it('turns per-minute invocation counts into deterministic chain arrivals at the scaled rate', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'suite-'));
    const counts = Array.from({ length: 1440 }, (_, m) => (m % 60 === 0 ? 600 : 0));
    writeAzureArrivals(path.join(dir, 'a.csv'), counts, 1, ['montage', 'cycles'], 60, 16);
    writeAzureArrivals(path.join(dir, 'b.csv'), counts, 1, ['montage', 'cycles'], 60, 16);
    const a = readFileSync(path.join(dir, 'a.csv'), 'utf8');
    expect(a).toBe(readFileSync(path.join(dir, 'b.csv'), 'utf8'));
    const rows = a.trim().split('\n').slice(1);
    // 16 vCPU of 60 vCPU-s chains: 16 chains per minute on average, so 23,040 a day, all in the burst minutes
    expect(rows.length).toBe(16 * 1440);
    expect(rows.every((r) => Math.floor(Number(r.split(',')[0]) / 60) % 60 === 0)).toBe(true);
    expect(rows[0].endsWith(',montage') && rows[1].endsWith(',cycles')).toBe(true);
  });
});
