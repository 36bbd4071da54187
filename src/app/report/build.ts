/**
 * Builds the backtest report from raw per-policy results: percentiles, rounding (USD to 4 decimals,
 * seconds, units and ratios to 2... hit rates to 4), and cost ratios to the oracle. Pure.
 */
import type { ChainCostRaw, PolicyRawResult, PoolRaw } from './raw.js';
import {
  REPORT_SCHEMA_VERSION, type AttributionEntry, type AttributionSummary, type BacktestReport, type InstanceMixEntry, type LatencySummary, type PolicyReport, type PrefetchSummary,
  type PoolSummary, type ScenarioSummary, type VariantSummary, type CalibrationSummary, type AbTestSummary, type BundleSummary, type SelectionFigures,
} from './types.js';

/** Rounds to `digits` decimals (half away from zero), turning -0 into 0. */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f) / f;
  return r === 0 ? 0 : r;
}

/** Nearest-rank percentile of sorted values (`p` in 0..100); 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Summary of a latency sample, seconds, rounded to 2 decimals. */
export function summarise(values: readonly number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return {
    count: s.length,
    p50Sec: roundTo(percentile(s, 50), 2),
    p95Sec: roundTo(percentile(s, 95), 2),
    p99Sec: roundTo(percentile(s, 99), 2),
    meanSec: roundTo(mean, 2),
    maxSec: roundTo(s.length ? s[s.length - 1] : 0, 2),
  };
}

function sortedRecord(r: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}

/** Per-pool summaries, each pool's cost over the oracle's same pool (`oraclePools`, when given). */
export function poolSummaries(pools: readonly PoolRaw[], oraclePools: readonly PoolRaw[] | undefined): PoolSummary[] {
  return pools.map((p) => {
    const o = oraclePools?.find((x) => x.poolId === p.poolId);
    const n = Math.max(1, p.ticks);
    return {
      poolId: p.poolId,
      ec2CostUsd: roundTo(p.ec2Usd, 4),
      costRatioToOracle: o && o.ec2Usd > 0 ? roundTo(p.ec2Usd / o.ec2Usd, 4) : null,
      demandAvgUnits: roundTo(p.demandUnitTicks / n, 2),
      readyAvgUnits: roundTo(p.readyUnitTicks / n, 2),
      idleUnitHours: roundTo(p.idleUnitSec / 3600, 2),
      unmetDemandUnitSec: roundTo(p.unmetUnitSec, 2),
      metricShortShare: roundTo((p.shortTicks ?? 0) / n, 4),
    };
  });
}

function policyReport(raw: PolicyRawResult, oracleUsd: number | undefined, oraclePools?: readonly PoolRaw[]): PolicyReport {
  const total = raw.spotUsd + raw.onDemandUsd + raw.cacheUsd;
  return {
    policy: raw.policy,
    cost: { totalUsd: roundTo(total, 4), spotUsd: roundTo(raw.spotUsd, 4), onDemandUsd: roundTo(raw.onDemandUsd, 4), cacheUsd: roundTo(raw.cacheUsd, 4) },
    costRatioToOracle: oracleUsd && oracleUsd > 0 ? roundTo(total / oracleUsd, 4) : null,
    stepWait: summarise(raw.waitSec),
    chainMakespan: summarise(raw.makespanSec),
    unmetDemandUnitSec: roundTo(raw.unmetDemandUnitSec, 2),
    idleUnitHours: roundTo(raw.idleUnitSec / 3600, 2),
    spotInterruptions: raw.spotInterruptions,
    tasksRequeued: raw.tasksRequeued,
    tasksSubmitted: raw.tasksSubmitted,
    tasksCompleted: raw.tasksCompleted,
    chainsSubmitted: raw.chainsSubmitted,
    chainsCompleted: raw.chainsCompleted,
    launches: raw.launches,
    terminations: raw.terminations,
    forecastError: raw.forecastError
      ? { metric: raw.forecastError.metric, value: roundTo(raw.forecastError.value, 2), points: raw.forecastError.points, horizonSec: raw.forecastError.horizonSec }
      : null,
    nextStep: raw.nextStep ? { predictions: raw.nextStep.predictions, hits: raw.nextStep.hits, hitRate: roundTo(raw.nextStep.hitRate, 4), ...(raw.nextStep.calibration ? { calibration: calibrationSummary(raw.nextStep.calibration) } : {}) } : null,
    prefetch: raw.prefetch ? prefetchSummary(raw.prefetch) : null,
    variants: raw.variants ? variantSummary(raw.variants) : null,
    decisionCounts: sortedRecord(raw.decisionCounts),
    ...(raw.chainCosts && raw.chainCosts.length > 0 ? { attribution: attributionSummary(raw.chainCosts) } : {}),
    ...(raw.pools ? { pools: poolSummaries(raw.pools, oraclePools) } : {}),
    ...(raw.instanceMix ? { instanceMix: instanceMix(raw.instanceMix) } : {}),
    ...(raw.abTest ? { abTest: abTestRounded(raw.abTest) } : {}),
    ...(raw.bundles ? { bundles: bundlesRounded(raw.bundles) } : {}),
  };
}

/** Bundle figures rounded (rates to 4 decimals, seconds to 2). */
function bundlesRounded(b: BundleSummary): BundleSummary {
  const f = (x: SelectionFigures): SelectionFigures => ({
    settled: x.settled, hits: x.hits, hitRate: roundTo(x.hitRate, 4), setupSecSaved: roundTo(x.setupSecSaved, 2), wastedCpuSec: roundTo(x.wastedCpuSec, 2),
    savedPerWastedCpuSec: x.savedPerWastedCpuSec === null ? null : roundTo(x.savedPerWastedCpuSec, 4),
  });
  return { asOfSec: b.asOfSec, edges: b.edges, bundle: f(b.bundle), single: f(b.single) };
}

/** Held unit-hours per pool × instance type × market with each one's share of its pool (order kept). */
export function instanceMix(rows: NonNullable<PolicyRawResult['instanceMix']>): InstanceMixEntry[] {
  const byPool = new Map<string, number>();
  for (const r of rows) byPool.set(r.poolId, (byPool.get(r.poolId) ?? 0) + r.unitSec);
  return rows.map((r) => ({
    poolId: r.poolId, instanceType: r.instanceType, market: r.market, unitHours: roundTo(r.unitSec / 3600, 2),
    share: roundTo((byPool.get(r.poolId) ?? 0) > 0 ? r.unitSec / byPool.get(r.poolId)! : 0, 4),
  }));
}

function prefetchSummary(p: PrefetchSummary): PrefetchSummary {
  return {
    preparations: p.preparations, hits: p.hits, setupSecSaved: roundTo(p.setupSecSaved, 2), wastedCpuSec: roundTo(p.wastedCpuSec, 2), wastedUsd: roundTo(p.wastedUsd, 4),
    ...(p.aborted !== undefined ? { aborted: p.aborted } : {}),
    ...(p.expired !== undefined ? { expired: p.expired } : {}),
    ...(p.evicted !== undefined ? { evicted: p.evicted } : {}),
    ...(p.wastedMemoryGiBSec !== undefined ? { wastedMemoryGiBSec: roundTo(p.wastedMemoryGiBSec, 2) } : {}),
  };
}

function variantSummary(v: VariantSummary): VariantSummary {
  return {
    choices: sortedRecord(v.choices), switches: v.switches, switchReasons: sortedRecord(v.switchReasons),
    ...(v.switchPaths ? { switchPaths: sortedRecord(v.switchPaths) } : {}),
    ...(v.fallbacks !== undefined ? { fallbacks: v.fallbacks } : {}),
    ...(v.chainsDenied !== undefined ? { chainsDenied: v.chainsDenied } : {}),
    ...(v.tasksCancelled !== undefined ? { tasksCancelled: v.tasksCancelled } : {}),
  };
}

/** Chains and cost per principal and per workflow (keys sorted, USD rounded to 4 decimals). */
export function attributionSummary(chains: readonly ChainCostRaw[]): AttributionSummary {
  const sum = (key: (c: ChainCostRaw) => string): Record<string, AttributionEntry> => {
    const acc = new Map<string, { chains: number; cost: number }>();
    for (const c of chains) {
      const a = acc.get(key(c)) ?? { chains: 0, cost: 0 };
      a.chains++;
      a.cost += c.costUsd;
      acc.set(key(c), a);
    }
    return Object.fromEntries([...acc.keys()].sort().map((k) => [k, { chains: acc.get(k)!.chains, costUsd: roundTo(acc.get(k)!.cost, 4) }]));
  };
  return { byPrincipal: sum((c) => c.principal), byWorkflow: sum((c) => c.workflow) };
}

/**
 * The whole report. Policies keep the order given; the oracle (policy named "oracle") sets the cost
 * ratios.
 */
export function buildReport(scenario: ScenarioSummary, raws: readonly PolicyRawResult[], assumptions: readonly string[]): BacktestReport {
  const oracle = raws.find((r) => r.policy === 'oracle');
  const oracleUsd = oracle ? oracle.spotUsd + oracle.onDemandUsd + oracle.cacheUsd : undefined;
  return { schemaVersion: REPORT_SCHEMA_VERSION, scenario, policies: raws.map((r) => policyReport(r, oracleUsd, oracle?.pools)), assumptions: [...assumptions] };
}

/** Calibration figures rounded to 4 decimals (seconds to 2). */
function calibrationSummary(c: CalibrationSummary): CalibrationSummary {
  const r4 = (x: number): number => roundTo(x, 4);
  const deciles = (ds: CalibrationSummary['deciles']): CalibrationSummary['deciles'] => ds.map((d) => ({ lo: r4(d.lo), hi: r4(d.hi), n: d.n, meanPredicted: r4(d.meanPredicted), observed: r4(d.observed), absError: r4(d.absError) }));
  return {
    outcomes: c.outcomes, cameTrue: c.cameTrue, expired: c.expired, calibrated: c.calibrated, ...(c.raise !== undefined ? { raise: c.raise } : {}),
    brier: r4(c.brier), maxDecileError: r4(c.maxDecileError), ece: r4(c.ece), minBinCount: c.minBinCount, deciles: deciles(c.deciles),
    raw: { brier: r4(c.raw.brier), maxDecileError: r4(c.raw.maxDecileError), ece: r4(c.raw.ece), deciles: deciles(c.raw.deciles) },
    brierOverTime: c.brierOverTime.map((b) => ({ startSec: b.startSec, n: b.n, brier: r4(b.brier) })),
    latenessSec: { n: c.latenessSec.n, p50: roundTo(c.latenessSec.p50, 2), p95: roundTo(c.latenessSec.p95, 2), meanAbs: roundTo(c.latenessSec.meanAbs, 2) },
  };
}

/** A/B figures rounded (rates and p-values to 4 decimals, seconds to 2, USD to 6). */
function abTestRounded(a: AbTestSummary): AbTestSummary {
  const r4 = (x: number): number => roundTo(x, 4);
  const r4n = (x: number | null): number | null => (x === null ? null : r4(x));
  return {
    control: a.control, tests: a.tests,
    arms: a.arms.map((x) => ({
      name: x.name, chains: x.chains, preparations: x.preparations, hits: x.hits, hitRate: r4(x.hitRate), setupSecSaved: roundTo(x.setupSecSaved, 2), wastedCpuSec: roundTo(x.wastedCpuSec, 2),
      wastedUsd: roundTo(x.wastedUsd, 6), savedPerWastedCpuSec: r4n(x.savedPerWastedCpuSec), latencySec: { n: x.latencySec.n, mean: roundTo(x.latencySec.mean, 2), p95: roundTo(x.latencySec.p95, 2) },
      hitRateDelta: r4(x.hitRateDelta), hitRatePValue: r4n(x.hitRatePValue), latencyDeltaSec: roundTo(x.latencyDeltaSec, 2), latencyPValue: r4n(x.latencyPValue),
    })),
    winner: { ...a.winner, confidence: r4n(a.winner.confidence) },
  };
}
