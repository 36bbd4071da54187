/**
 * The A/B test of prefetch configurations as a report section (issue 22): per arm the chains, hit
 * rate (hits ÷ preparations), setup seconds saved, wasted CPU-seconds and USD, and chain latency
 * (makespan), each arm tested against the control arm — hit rate with the two-proportion z-test,
 * mean latency with Welch's t-test (core/predict/ab-stats.ts) — and the winner on hit rate with its
 * confidence (1 − p).
 */
import { momentsOf, twoProportionZTest, welchTTest } from '../../core/predict/ab-stats.js';
import type { AbTestSummary, AbArmSummary } from '../report/types.js';

/** One settled preparation of an arm. */
export interface AbPreparation {
  readonly arm: string;
  readonly hit: boolean;
  readonly setupSecSaved: number;
  readonly wastedCpuSec: number;
  readonly wastedUsd: number;
}

/** One chain of an arm, with its latency when it finished. */
export interface AbChain {
  readonly arm: string;
  readonly latencySec?: number;
}

/** Significance level of the winner. */
export const AB_ALPHA = 0.05;

/**
 * Builds the section.
 * @param arms arm names in config order; `control` must be one of them
 */
export function abTestSummary(arms: readonly string[], control: string, preps: readonly AbPreparation[], chains: readonly AbChain[]): AbTestSummary {
  const rows = arms.map((name) => {
    const ps = preps.filter((p) => p.arm === name);
    const cs = chains.filter((c) => c.arm === name);
    const lat = cs.flatMap((c) => (c.latencySec !== undefined ? [c.latencySec] : [])).sort((a, b) => a - b);
    const hits = ps.filter((p) => p.hit).length;
    const wasted = ps.reduce((s, p) => s + p.wastedCpuSec, 0);
    const saved = ps.reduce((s, p) => s + p.setupSecSaved, 0);
    return {
      name, chains: cs.length, preparations: ps.length, hits, hitRate: ps.length > 0 ? hits / ps.length : 0,
      setupSecSaved: saved, wastedCpuSec: wasted, wastedUsd: ps.reduce((s, p) => s + p.wastedUsd, 0),
      savedPerWastedCpuSec: wasted > 0 ? saved / wasted : null,
      latency: { ...momentsOf(lat), p95Sec: lat.length > 0 ? lat[Math.min(lat.length - 1, Math.ceil(0.95 * lat.length) - 1)] : 0 },
      lat,
    };
  });
  const ctrl = rows.find((r) => r.name === control) ?? rows[0];
  const out: AbArmSummary[] = rows.map((r) => {
    const z = r === ctrl ? undefined : twoProportionZTest(r.hits, r.preparations, ctrl.hits, ctrl.preparations);
    const t = r === ctrl ? undefined : welchTTest(momentsOf(r.lat), momentsOf(ctrl.lat));
    return {
      name: r.name, chains: r.chains, preparations: r.preparations, hits: r.hits, hitRate: r.hitRate, setupSecSaved: r.setupSecSaved, wastedCpuSec: r.wastedCpuSec, wastedUsd: r.wastedUsd,
      savedPerWastedCpuSec: r.savedPerWastedCpuSec,
      latencySec: { n: r.latency.n, mean: Number.isFinite(r.latency.mean) ? r.latency.mean : 0, p95: r.latency.p95Sec },
      hitRateDelta: r.hitRate - ctrl.hitRate,
      hitRatePValue: z && Number.isFinite(z.pValue) ? z.pValue : null,
      latencyDeltaSec: Number.isFinite(r.latency.mean) && Number.isFinite(ctrl.latency.mean) ? r.latency.mean - ctrl.latency.mean : 0,
      latencyPValue: t && Number.isFinite(t.pValue) ? t.pValue : null,
    };
  });
  const better = out.filter((a) => a.name !== ctrl.name && a.hitRatePValue !== null && a.hitRatePValue < AB_ALPHA && a.hitRateDelta > 0).sort((a, b) => b.hitRate - a.hitRate || (a.name < b.name ? -1 : 1));
  const w = better[0];
  return {
    control: ctrl.name,
    tests: 'hit rate (hits ÷ preparations): two-sided two-proportion z-test against the control; chain latency (makespan, s): two-sided Welch t-test',
    arms: out,
    winner: w
      ? { arm: w.name, metric: 'hitRate', confidence: 1 - w.hitRatePValue!, reason: `hit rate ${(100 * w.hitRate).toFixed(1)} % vs ${(100 * ctrl.hitRate).toFixed(1)} % (control ${ctrl.name}), p = ${w.hitRatePValue!.toPrecision(3)}` }
      : { arm: ctrl.name, metric: 'hitRate', confidence: null, reason: `no arm beats ${ctrl.name} (the control) on hit rate at p < ${AB_ALPHA}` },
  };
}
