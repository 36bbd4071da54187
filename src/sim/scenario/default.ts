/**
 * The embedded default scenario, generated from a seed (no data files): a web pool driven by a
 * request-rate metric with daily and weekly seasonality, noise and bursts, and a spot-friendly batch
 * pool running workflow chains that arrive as a seasonal Poisson process with bursts, and an
 * ElastiCache pool for the prefetch state cache. Prices come from core/market's embedded table.
 */
import { DEFAULT_PRICE_TABLE } from '../../core/market/index.js';
import { createRandom, drawExponential, drawNormal } from '../../core/rng.js';
import type { Random } from '../../core/model/index.js';
import type { ChainArrival } from '../workload/types.js';
import { defaultWorkflows } from './default-workflows.js';
import { parseScenario, type Scenario } from './schema.js';

/** Options of the default scenario. */
export interface DefaultScenarioOptions {
  readonly seed?: number;
  /** Simulated days. @default 7 */
  readonly days?: number;
  /** Days of metric history before the run. @default 7 */
  readonly historyDays?: number;
}

/** Tenants submitting chains: tenant-4 is regulated (no spot), tenant-3 has a tight spend cap. */
export const DEFAULT_PRINCIPALS = [
  { id: 'tenant-1', kind: 'tenant', memberOf: ['tenants'] },
  { id: 'tenant-2', kind: 'tenant', memberOf: ['tenants'] },
  { id: 'tenant-3', kind: 'tenant', memberOf: ['tenants', 'small-budget'] },
  { id: 'tenant-4', kind: 'tenant', memberOf: ['tenants', 'regulated'] },
] as const;

/**
 * Policies of the default scenario: every tenant may run every workflow on the batch pools with a
 * 5 USD/hour cap; small-budget tenants have a 0.02 USD/hour cap (a few chains an hour); regulated tenants may not use the
 * spot variants (an explicit deny beats the allow).
 */
export const DEFAULT_POLICIES = [
  { id: 'tenants-batch', effect: 'allow', principals: ['tenants'], workflows: ['*'], variants: ['*'], pools: ['batch', 'batch-od'], spendCapUsdPerHour: 5 },
  { id: 'small-budget-cap', effect: 'allow', principals: ['small-budget'], workflows: ['*'], variants: ['*'], pools: ['batch', 'batch-od'], spendCapUsdPerHour: 0.02 },
  { id: 'regulated-no-spot', effect: 'deny', principals: ['regulated'], workflows: ['*'], variants: ['spot-batch'], pools: ['*'] },
] as const;

/**
 * The prefetch state cache: one shard of cache.t4g.small (1.37 GiB, 0.032 USD/h in us-east-1,
 * core/market's DEFAULT_CACHE_NODE_TABLE), no replica (prepared states can be recomputed), up to two
 * replicas for throughput; 10 minutes to add capacity, 5 to remove it.
 */
export const DEFAULT_PREFETCH_CACHE = {
  kind: 'elasticache', id: 'prefetch-cache', nodeType: 'cache.t4g.small', shards: 1, replicasPerShard: 0,
  minReplicasPerShard: 0, maxReplicasPerShard: 2, addLeadTimeSec: 600, removeLeadTimeSec: 300,
} as const;

/** Monday 2026-01-05 00:00 UTC. */
export const DEFAULT_START_SEC = 1_767_571_200;
const DAY = 86_400;

/** Daily × weekly shape in [~0.25, 1]: peak mid-afternoon UTC, weekends at 60%. */
export function seasonalShape(tSec: number): number {
  const hour = ((tSec % DAY) + DAY) % DAY / 3600;
  const dow = Math.floor((tSec - DEFAULT_START_SEC) / DAY + 700) % 7; // 0 = Monday
  const daily = 0.55 - 0.45 * Math.cos((2 * Math.PI * (hour - 2)) / 24);
  const weekly = dow >= 5 ? 0.6 : 1;
  return Math.max(0.05, (0.25 + 0.75 * daily) * weekly);
}

/** Request rate per minute: seasonal shape, AR(1) noise and bursts (about one a day). */
function webSeries(rng: Random, startSec: number, minutes: number): number[] {
  const values: number[] = [];
  let noise = 0;
  let burstLeft = 0;
  let burstGain = 1;
  for (let m = 0; m < minutes; m++) {
    const t = startSec + m * 60;
    noise = 0.9 * noise + 0.1 * drawNormal(rng) * 0.5;
    if (burstLeft <= 0 && rng.next() < 1 / 1440) {
      burstLeft = 10 + Math.floor(rng.next() * 30);
      burstGain = 1.5 + rng.next();
    }
    const gain = burstLeft-- > 0 ? burstGain : 1;
    values.push(Math.max(0, Math.round(40_000 * seasonalShape(t) * (1 + noise) * gain)));
  }
  return values;
}

/** Chain arrivals: Poisson at up to 14 chains/hour following the seasonal shape, plus burst batches. */
function arrivals(rng: Random, startSec: number, endSec: number): ChainArrival[] {
  const out: ChainArrival[] = [];
  const names = ['etl', 'ml-train', 'report'];
  const weights = [0.5, 0.15, 0.35];
  const peakPerSec = 14 / 3600;
  let t = startSec;
  let n = 0;
  const pick = (): string => {
    const u = rng.next();
    return u < weights[0] ? names[0] : u < weights[0] + weights[1] ? names[1] : names[2];
  };
  for (;;) {
    t += drawExponential(rng, peakPerSec);
    if (t >= endSec) break;
    if (rng.next() > seasonalShape(t)) continue; // thinning (Lewis & Shedler 1979)
    const principal = `tenant-${1 + Math.floor(rng.next() * 4)}`;
    out.push({ atSec: Math.round(t), chainId: `c${String(++n).padStart(6, '0')}`, workflow: pick(), principal });
    if (rng.next() < 0.01) {
      for (let b = 0; b < 8; b++) out.push({ atSec: Math.round(t) + b * 5, chainId: `c${String(++n).padStart(6, '0')}`, workflow: 'report', principal });
    }
  }
  return out.sort((a, b) => a.atSec - b.atSec || (a.chainId < b.chainId ? -1 : 1));
}

/** Builds the default scenario. */
export function defaultScenario(opts: DefaultScenarioOptions = {}): Scenario {
  const seed = opts.seed ?? 42;
  const days = opts.days ?? 7;
  const historyDays = opts.historyDays ?? 7;
  const rng = createRandom(seed);
  const startSec = DEFAULT_START_SEC;
  const seriesStart = startSec - historyDays * DAY;
  const minutes = (historyDays + days) * 1440;
  return parseScenario({
    name: `default (seed ${seed})`,
    seed,
    startSec,
    days,
    pools: [
      {
        kind: 'ec2', id: 'web', instanceRequirements: { vcpuMin: 2, vcpuMax: 8, allowedFamilies: ['c6i', 'c7g', 'm6i', 'm6g'] },
        availabilityZones: ['us-east-1a', 'us-east-1b'], onDemandFloorShare: 0.3, serviceLevel: 0.95, minUnits: 4, maxUnits: 256,
      },
      {
        kind: 'ec2', id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 16, memoryGiBPerVcpuMin: 4, allowedFamilies: ['m5', 'm6i', 'm6a', 'm7i', 'r6g', 'm6g'] },
        availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], serviceLevel: 0.9, minUnits: 0, maxUnits: 512,
        maxSpotSharePerOffering: 1, minSpotOfferings: 1,
      },
      {
        kind: 'ec2', id: 'batch-od', instanceRequirements: { vcpuMin: 4, vcpuMax: 16, memoryGiBPerVcpuMin: 4, allowedFamilies: ['m5', 'm6i', 'm6a', 'm7i', 'r6g', 'm6g'] },
        markets: ['on-demand'], availabilityZones: ['us-east-1a', 'us-east-1b'], serviceLevel: 0.9, minUnits: 0, maxUnits: 256,
      },
    ],
    caches: [DEFAULT_PREFETCH_CACHE],
    principals: DEFAULT_PRINCIPALS,
    policies: DEFAULT_POLICIES,
    prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
    series: [{ id: 'web-requests', startSec: seriesStart, periodSec: 60, values: webSeries(rng.fork('web'), seriesStart, minutes), unit: 'Count/min' }],
    demandSignals: [{ seriesId: 'web-requests', poolId: 'web', metricPerUnit: 1000 }],
    workflows: defaultWorkflows(rng.fork('workflows'), 'batch', 'batch-od'),
    arrivals: arrivals(rng.fork('arrivals'), startSec, startSec + days * DAY),
    sources: ['generated by src/sim/scenario/default.ts'],
  });
}
