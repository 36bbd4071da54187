/**
 * The simulator's MetricsSource and EventSource: the controller reads a simulated world through the
 * same ports it reads CloudWatch and SQS through in AWS. Only what has been observed by the world's
 * current time is visible (a period is visible once it has ended).
 */
import type { CloudEvent, ExecutionEvent, MetricSeries } from '../core/model/index.js';
import type { EventSource } from '../ports/event-source.js';
import type { MetricQuery, MetricsSource } from '../ports/metrics-source.js';
import type { World } from './world.js';

/** A series the source can serve: fixed values, or values recorded as the run goes. */
interface SourceSeries {
  readonly startSec: number;
  readonly periodSec: number;
  readonly values: ArrayLike<number>;
  /** Values recorded so far (for live series); defaults to values.length. */
  readonly length: () => number;
}

/** Metrics of a world: the scenario's series plus live series the world records (task backlog). */
export class SimMetricsSource implements MetricsSource {
  private readonly series = new Map<string, SourceSeries>();

  constructor(private readonly world: World) {
    for (const s of world.scenario.series) this.series.set(s.id, { startSec: s.startSec, periodSec: s.periodSec, values: s.values, length: () => s.values.length });
  }

  /** Adds a live series recorded one value per tick. */
  addLiveSeries(id: string, startSec: number, periodSec: number, values: Float64Array, recorded: () => number): void {
    this.series.set(id, { startSec, periodSec, values, length: recorded });
  }

  async fetch(q: MetricQuery): Promise<MetricSeries[]> {
    const now = this.world.clock.nowSec();
    const out: MetricSeries[] = [];
    for (const id of q.seriesIds) {
      const s = this.series.get(id);
      if (!s) throw new Error(`unknown series ${id}`);
      const n = Math.max(0, Math.floor((q.endSec - q.startSec) / q.periodSec));
      const values = new Array<number>(n).fill(Number.NaN);
      const len = s.length();
      for (let k = 0; k < n; k++) {
        const t0 = q.startSec + k * q.periodSec;
        const t1 = t0 + q.periodSec;
        if (t1 > now) break;
        if (s.periodSec <= q.periodSec) {
          const i0 = Math.max(0, Math.ceil((t0 - s.startSec) / s.periodSec));
          const i1 = Math.min(len, Math.ceil((t1 - s.startSec) / s.periodSec));
          let sum = 0;
          let cnt = 0;
          for (let i = i0; i < i1; i++) {
            const v = s.values[i];
            if (!Number.isNaN(v) && s.startSec + (i + 1) * s.periodSec <= now) { sum += v; cnt++; }
          }
          if (cnt > 0) values[k] = sum / cnt;
        } else {
          // finer than the series: the per-period demand the world applied (linear interpolation,
          // seriesValueAt in demand-grid.ts), visible once the period has ended, like a 1-minute CloudWatch metric
          const x = (t0 - s.startSec) / s.periodSec;
          const i = Math.floor(x);
          if (i < 0 || i >= len) continue;
          const a = s.values[i];
          const b = i + 1 < len ? s.values[i + 1] : a;
          const v = Number.isNaN(a) ? b : Number.isNaN(b) ? a : a + (b - a) * (x - i);
          if (!Number.isNaN(v)) values[k] = v;
        }
      }
      out.push({ id, startSec: q.startSec, periodSec: q.periodSec, values });
    }
    return out;
  }
}

/** Execution and cloud events of a world. Execution events are kept in time order by the workload. */
export class SimEventSource implements EventSource {
  constructor(private readonly world: World) {}

  async drainCloudEvents(): Promise<CloudEvent[]> {
    return this.world.cloud.drainCloudEvents();
  }

  async executionEvents(sinceSec: number, untilSec: number): Promise<ExecutionEvent[]> {
    this.world.workload.releaseProgress(untilSec);
    const ev = this.world.workload.events;
    const lo = lowerBound(ev, sinceSec);
    const hi = lowerBound(ev, untilSec);
    return ev.slice(lo, hi);
  }
}

function lowerBound(ev: readonly ExecutionEvent[], t: number): number {
  let lo = 0;
  let hi = ev.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ev[mid].atSec < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
