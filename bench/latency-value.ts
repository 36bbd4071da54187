/**
 * The price of the prefetch state cache: prescale alone on a scenario with each value of an hour of
 * step latency saved (`prefetchLatencyValueUsdPerHour`, the controller's
 * `prefetch.latencyValueUsdPerHour`). The cache adds a shard only when the states it would keep from
 * eviction are worth its node-hour (src/core/plan/cache-sizing.ts), so a higher value buys more setup
 * time saved with more cache node-hours.
 */
import { runBacktest } from '../src/sim/backtest.js';
import { parseScenario, type Scenario } from '../src/sim/scenario/schema.js';

/** One measured point. */
export interface LatencyValuePoint {
  readonly latencyValueUsdPerHour: number;
  readonly costUsd: number;
  readonly costRatio: number;
  readonly cacheUsd: number;
  readonly setupSecSaved: number;
  readonly hits: number;
  readonly evicted: number;
  readonly makespanP50Sec: number;
}

/**
 * Runs prescale once per latency value.
 * @param oracleUsd the oracle's cost on the same scenario, USD
 */
export async function latencyValuePoints(sc: Scenario, oracleUsd: number, values: readonly number[], onPoint?: (p: LatencyValuePoint) => void): Promise<LatencyValuePoint[]> {
  const out: LatencyValuePoint[] = [];
  for (const v of values) {
    const { report } = await runBacktest(parseScenario({ ...sc, prefetchLatencyValueUsdPerHour: v }), { policies: ['prescale'] });
    const p = report.policies[0];
    const point = {
      latencyValueUsdPerHour: v, costUsd: p.cost.totalUsd, costRatio: p.cost.totalUsd / oracleUsd, cacheUsd: p.cost.cacheUsd,
      setupSecSaved: p.prefetch?.setupSecSaved ?? 0, hits: p.prefetch?.hits ?? 0, evicted: p.prefetch?.evicted ?? 0, makespanP50Sec: p.chainMakespan.p50Sec,
    };
    onPoint?.(point);
    out.push(point);
  }
  return out;
}

/** The points as a markdown table. */
export function latencyValueTable(label: string, points: readonly LatencyValuePoint[], configured: number): string {
  const rows = points.map((p) => `| ${p.latencyValueUsdPerHour}${p.latencyValueUsdPerHour === configured ? ' (default)' : ''} | ${p.costUsd.toFixed(2)} | ${p.costRatio.toFixed(3)} | ${p.cacheUsd.toFixed(2)} | ${p.setupSecSaved.toFixed(0)} | ${p.hits} | ${p.evicted} | ${p.makespanP50Sec} |`);
  return [
    `#### ${label}: value of an hour of latency saved against the state cache's cost (prescale only)`,
    '',
    '| latency value USD/h | prescale cost USD | × oracle | cache USD | setup saved s | prefetch hits | evicted | chain makespan p50 s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
