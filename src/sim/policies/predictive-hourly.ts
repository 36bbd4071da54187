/**
 * `predictive-hourly`: EC2 Auto Scaling predictive scaling ("ForecastAndScale") as AWS documents it:
 * an hourly capacity forecast from the load history (daily and weekly patterns: here the mean of the
 * same hour one day and one week earlier, on each hour's peak demand units), applied as the group's
 * minimum capacity `SchedulingBufferTime` (300 s) before each hour starts; it never scales in by
 * itself. Target tracking (the `reactive` policy) runs alongside and scales in down to that minimum.
 * The user's own policy (scenario `currentPolicy`) sets the mode (ForecastOnly: the forecast is
 * scored but never applied), the scheduling buffer, a buffer percent above the forecast, and the
 * target (forecast load / targetUtilization is the capacity forecast).
 */
import type { World } from '../world.js';
import { seriesValueAt } from '../demand-grid.js';
import { reconcileGroup } from './asg.js';
import { observedDemandUnits, poolFleet } from './fleet-view.js';
import { metricCapacity, targetTrackingStep, type TrackingState } from './reactive.js';
import type { PolicyTickContext, SimPolicy } from './types.js';

/** Seconds before the hour that forecast capacity is launched (AWS default SchedulingBufferTime 300; the scenario's currentPolicy.schedulingBufferSec is used). */
export const SCHEDULING_BUFFER_SEC = 300;
const HOUR = 3600;

/** Hourly peak demand per pool, keyed by hour start (epoch seconds). */
class HourlyPeaks {
  private readonly peaks = new Map<number, number>();
  observe(tSec: number, units: number): void {
    const h = Math.floor(tSec / HOUR) * HOUR;
    this.peaks.set(h, Math.max(this.peaks.get(h) ?? 0, units));
  }
  get(hourSec: number): number | undefined {
    return this.peaks.get(hourSec);
  }
  /** Mean of the same hour a day and a week earlier, when either is known. */
  forecast(hourSec: number): number | undefined {
    const xs = [this.get(hourSec - 86_400), this.get(hourSec - 7 * 86_400)].filter((x): x is number => x !== undefined);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
  }
}

/** Creates the predictive-hourly policy for a world. */
export function createPredictiveHourlyPolicy(world: World, name = 'predictive-hourly'): SimPolicy {
  const sc = world.scenario;
  const pools = sc.pools;
  const cp = sc.currentPolicy;
  const tracking = new Map<string, TrackingState>(pools.map((p) => [p.id, { desiredUnits: p.minUnits, breachingOut: 0, breachingIn: 0, lastScaleOutSec: -Infinity }]));
  const peaks = new Map<string, HourlyPeaks>(pools.map((p) => [p.id, new HourlyPeaks()]));
  // Load history before the run: metric-driven demand sampled every 5 minutes over up to 14 days.
  const seriesById = new Map(sc.series.map((s) => [s.id, s]));
  const history = new Map<string, Map<number, number>>();
  for (const d of sc.demandSignals) {
    const s = seriesById.get(d.seriesId)!;
    let sums = history.get(d.poolId);
    if (!sums) history.set(d.poolId, (sums = new Map()));
    const from = Math.ceil(Math.max(s.startSec, sc.startSec - 14 * 86_400) / 300) * 300;
    for (let t = from; t < sc.startSec; t += 300) sums.set(t, (sums.get(t) ?? 0) + seriesValueAt(s, t) / d.metricPerUnit);
  }
  for (const [poolId, sums] of history) for (const [t, u] of sums) peaks.get(poolId)!.observe(t, u);
  const err = { sum: 0, points: 0 };
  const scored = new Set<string>();
  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      const hour = Math.floor(nowSec / HOUR) * HOUR;
      for (const pool of pools) {
        const hp = peaks.get(pool.id)!;
        const demand = observedDemandUnits(world, pool.id, tickIndex);
        // score last hour's forecast once the hour is over
        const prev = hour - HOUR;
        const key = `${pool.id}@${prev}`;
        if (!scored.has(key) && prev >= sc.startSec) {
          scored.add(key);
          const f = hp.forecast(prev);
          const a = hp.get(prev);
          if (f !== undefined && a !== undefined) {
            const den = (Math.abs(a) + Math.abs(f)) / 2;
            err.sum += den === 0 ? 0 : (100 * Math.abs(f - a)) / den;
            err.points++;
          }
        }
        hp.observe(nowSec, demand);
        let floor = hp.forecast(hour) ?? 0;
        if (nowSec >= hour + HOUR - cp.schedulingBufferSec) floor = Math.max(floor, hp.forecast(hour + HOUR) ?? 0);
        floor = cp.predictiveMode === 'ForecastOnly' ? 0 : (floor / cp.targetUtilization) * (1 + cp.predictiveBufferPct / 100);
        const st = tracking.get(pool.id)!;
        const fleet = poolFleet(world, pool.id);
        const m = metricCapacity(fleet, nowSec, cp.instanceWarmupSec);
        targetTrackingStep(st, pool, demand, m.countedUnits, fleet.readyUnits + fleet.pendingUnits, nowSec, cp, m.warming);
        st.desiredUnits = Math.min(pool.maxUnits, Math.max(st.desiredUnits, Math.ceil(floor)));
        reconcileGroup(world, pool, st.desiredUnits, nowSec, name);
      }
    },
    extras: () => ({
      forecastError: { metric: 'sMAPE', value: err.points > 0 ? err.sum / err.points : 0, points: err.points, horizonSec: HOUR },
      nextStep: null,
      usesPrefetch: false,
      decisionCounts: {},
    }),
  };
}
