/**
 * Prediction-outcome feedback (seed 000 §3 "if a predicted block is not executed, penalize the
 * prediction model"; seed 001 §3 "adaptive prediction"): a {@link NextStepModel} wrapper that remembers
 * the last predictions made for each chain, scores each of them when the chain's next step starts
 * (came true or not, and how late against the expected start), and feeds the outcomes to
 *
 * - an online isotonic calibration map (core/predict/calibration.ts) applied to the inner model's
 *   probabilities before they are returned: a probability level that keeps not coming true is
 *   lowered, one that comes true more often than said is raised;
 * - reliability trackers (curve per decile, Brier score over time) of the raw and of the calibrated
 *   probabilities, for reports.
 *
 * Predictions no step answers within `expirySec` (the chain ended or stalled) are scored as not come
 * true. The inner model learns from the same events as before (`observe` is forwarded).
 */
import type { ExecutionEvent } from '../model/events.js';
import { InputError } from '../model/errors.js';
import { IsotonicCalibrator, ReliabilityTracker, type IsotonicOptions, type ReliabilitySummary } from './calibration.js';
import { quantile } from './delays.js';
import type { ChainContext, DistributionModel, NextStepModel, NextStepPrediction } from './types.js';

/** Options of {@link FeedbackModel}. */
export interface FeedbackOptions {
  /** Apply the calibration map to the returned probabilities (false: only measure). @default true */
  readonly calibrate?: boolean;
  /**
   * Let the map raise a probability too (a level that comes true more often than said). Off, it only
   * lowers (penalises) levels that come true less often than said, so the feedback never makes the
   * prefetch selection prepare more than the raw model would (seed 000 §3: penalise predictions that
   * did not come true). @default false
   */
  readonly raise?: boolean;
  /** Seconds after which an unanswered prediction counts as not come true. @default 21600 (6 h) */
  readonly expirySec?: number;
  /** Length of the Brier-over-time buckets, seconds. @default 3600 */
  readonly bucketSec?: number;
  /** Settings of the isotonic map. */
  readonly isotonic?: IsotonicOptions;
  /** Lateness samples kept (newest). @default 4096 */
  readonly latenessSamples?: number;
}

/** What the feedback loop measured (for reports). */
export interface FeedbackSummary {
  /** Predictions scored (one per predicted task type per answered prediction). */
  readonly outcomes: number;
  /** Of them, came true. */
  readonly cameTrue: number;
  /** Scored as not come true because no step answered within `expirySec`. */
  readonly expired: number;
  /** Whether the returned probabilities were calibrated. */
  readonly calibrated: boolean;
  /** Whether the calibration may raise probabilities (else it only lowers them). */
  readonly raise: boolean;
  /** Reliability of the probabilities the model returned (calibrated when `calibrated`). */
  readonly reliability: ReliabilitySummary;
  /** Reliability of the inner model's raw probabilities. */
  readonly rawReliability: ReliabilitySummary;
  /** Seconds the step that came true started after its expected start (negative: earlier). */
  readonly latenessSec: { readonly n: number; readonly p50: number; readonly p95: number; readonly meanAbs: number };
}

interface Outstanding {
  readonly atSec: number;
  /** true when the whole distribution was recorded (the truth not in it had probability 0). */
  readonly full: boolean;
  readonly preds: ReadonlyArray<{ readonly taskType: string; readonly raw: number; readonly p: number; readonly expectedAtSec: number }>;
}

/** JSON state of a {@link FeedbackModel} (the inner model's own JSON under `inner`). */
export interface FeedbackModelJSON {
  readonly kind: 'feedback';
  readonly inner: unknown;
  readonly options: FeedbackOptions;
  readonly calibrator: unknown;
  readonly reliability: unknown;
  readonly rawReliability: unknown;
  readonly counts: { outcomes: number; cameTrue: number; expired: number };
  readonly lateness: number[];
  readonly outstanding: Array<[string, Outstanding]>;
}

/** See the module comment. */
export class FeedbackModel implements DistributionModel {
  readonly name: string;
  private cal: IsotonicCalibrator;
  private readonly calibrate: boolean;
  private readonly raise: boolean;
  private readonly expirySec: number;
  private readonly maxLateness: number;
  private reliability: ReliabilityTracker;
  private rawReliability: ReliabilityTracker;
  private readonly outstanding = new Map<string, Outstanding>();
  private counts = { outcomes: 0, cameTrue: 0, expired: 0 };
  private lateness: number[] = [];
  private lastSec = -Infinity;

  /** @throws InputError for an option out of range */
  constructor(readonly inner: NextStepModel, private readonly options: FeedbackOptions = {}) {
    this.name = `${inner.name}+feedback`;
    this.calibrate = options.calibrate ?? true;
    this.raise = options.raise ?? false;
    this.expirySec = options.expirySec ?? 21_600;
    this.maxLateness = options.latenessSamples ?? 4096;
    if (!(this.expirySec > 0)) throw new InputError({ field: 'expirySec' }, this.expirySec, 'seconds > 0');
    if (!(Number.isInteger(this.maxLateness) && this.maxLateness >= 1)) throw new InputError({ field: 'latenessSamples' }, this.maxLateness, 'a whole number ≥ 1');
    this.cal = new IsotonicCalibrator(options.isotonic);
    this.reliability = new ReliabilityTracker(10, options.bucketSec ?? 3600);
    this.rawReliability = new ReliabilityTracker(10, options.bucketSec ?? 3600);
  }

  /** The online calibration map. */
  get calibrator(): IsotonicCalibrator {
    return this.cal;
  }

  /** The calibrated probability of a raw one (identity while `calibrate` is off). */
  mapProbability(raw: number): number {
    if (!this.calibrate) return raw;
    const c = this.cal.map(raw);
    return this.raise ? c : Math.min(raw, c);
  }

  private calibrated(raw: ReadonlyArray<readonly [string, number]>): Array<[string, number]> {
    const out = raw.map(([t, p]) => [t, this.mapProbability(p)] as [string, number]);
    const sum = out.reduce((s, [, p]) => s + p, 0);
    // the contract: probabilities sum to at most 1
    if (sum > 1) for (const o of out) o[1] /= sum;
    return out;
  }

  predict(context: ChainContext, topN: number): NextStepPrediction[] {
    const raw = this.inner.predict(context, topN);
    const cal = this.calibrated(raw.map((p) => [p.taskType, p.probability] as const));
    const out = raw.map((p, i) => ({ ...p, probability: cal[i][1] }));
    this.remember(context, raw.map((p, i) => ({ taskType: p.taskType, raw: p.probability, p: cal[i][1], expectedAtSec: context.nowSec + p.expectedStartInSec })), false);
    // a monotone map keeps the order; a stable sort keeps the inner model's order of ties
    return out.map((p, i) => ({ p, i })).sort((a, b) => b.p.probability - a.p.probability || a.i - b.i).map((x) => x.p);
  }

  /**
   * The inner model's whole distribution, calibrated; recorded like a prediction (the truth, when not
   * in it, is scored at probability 0).
   * @throws InputError when the inner model gives no distribution
   */
  distribution(context: ChainContext): Map<string, number> {
    const inner = this.inner as Partial<DistributionModel>;
    if (typeof inner.distribution !== 'function') throw new InputError({ field: 'model' }, this.inner.name, 'a model with a next-step distribution');
    const raw = [...inner.distribution.call(this.inner, context).entries()];
    const cal = this.calibrated(raw);
    this.remember(context, raw.map(([t, p], i) => ({ taskType: t, raw: p, p: cal[i][1], expectedAtSec: context.nowSec })), true);
    return new Map(cal);
  }

  private remember(context: ChainContext, preds: Outstanding['preds'], full: boolean): void {
    this.outstanding.set(context.chainId, { atSec: context.nowSec, full, preds });
  }

  /**
   * Scores the chain's outstanding prediction against the step that started (`taskType` at `atSec`),
   * and forgets it. No-op without one.
   */
  recordOutcome(chainId: string, taskType: string, atSec: number): void {
    const o = this.outstanding.get(chainId);
    if (!o) return;
    this.outstanding.delete(chainId);
    let found = false;
    for (const p of o.preds) {
      const hit = p.taskType === taskType;
      found ||= hit;
      this.score(p.raw, p.p, hit, atSec);
      if (hit && !o.full) {
        this.lateness.push(atSec - p.expectedAtSec);
        if (this.lateness.length > this.maxLateness) this.lateness.shift();
      }
    }
    if (o.full && !found) this.score(0, this.mapProbability(0), true, atSec);
  }

  private score(raw: number, p: number, hit: boolean, atSec: number): void {
    this.counts.outcomes++;
    if (hit) this.counts.cameTrue++;
    this.rawReliability.observe(Math.min(1, Math.max(0, raw)), hit, atSec);
    this.reliability.observe(Math.min(1, Math.max(0, p)), hit, atSec);
    this.cal.observe(Math.min(1, Math.max(0, raw)), hit);
  }

  /** Scores outstanding predictions older than `expirySec` at `nowSec` as not come true. */
  expire(nowSec: number): void {
    for (const [id, o] of [...this.outstanding.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (o.atSec > nowSec - this.expirySec) continue;
      this.outstanding.delete(id);
      for (const p of o.preds) this.score(p.raw, p.p, false, nowSec);
      this.counts.expired += o.preds.length;
    }
  }

  observe(events: readonly ExecutionEvent[]): void {
    for (const e of events) {
      if (e.kind === 'started') this.recordOutcome(e.chainId, e.taskType, e.atSec);
      this.lastSec = Math.max(this.lastSec, e.atSec);
    }
    if (Number.isFinite(this.lastSec)) this.expire(this.lastSec);
    this.inner.observe(events);
  }

  accuracySummary(): ReturnType<NonNullable<NextStepModel['accuracySummary']>> {
    return this.inner.accuracySummary?.() ?? {};
  }

  /** What the loop measured so far. */
  summary(minBinCount = 30): FeedbackSummary {
    const l = this.lateness;
    return {
      ...this.counts,
      calibrated: this.calibrate,
      raise: this.raise,
      reliability: this.reliability.summary(minBinCount),
      rawReliability: this.rawReliability.summary(minBinCount),
      latenessSec: { n: l.length, p50: l.length > 0 ? quantile(l, 0.5) : 0, p95: l.length > 0 ? quantile(l, 0.95) : 0, meanAbs: l.length > 0 ? l.reduce((s, x) => s + Math.abs(x), 0) / l.length : 0 },
    };
  }

  toJSON(): FeedbackModelJSON {
    return {
      kind: 'feedback', inner: this.inner.toJSON(), options: this.options, calibrator: this.cal.toJSON(),
      reliability: this.reliability.toJSON(), rawReliability: this.rawReliability.toJSON(), counts: { ...this.counts }, lateness: [...this.lateness],
      outstanding: [...this.outstanding.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    };
  }

  /**
   * Restores a saved model; `restoreInner` rebuilds the inner model from its JSON.
   * @throws InputError when `json` is not a saved feedback model
   */
  static fromJSON(json: unknown, restoreInner: (j: unknown) => NextStepModel): FeedbackModel {
    const j = json as Partial<FeedbackModelJSON> | null;
    if (!j || j.kind !== 'feedback' || !Array.isArray(j.outstanding) || !Array.isArray(j.lateness) || !j.counts) throw new InputError({ field: 'kind' }, j?.kind, 'a saved feedback model');
    const m = new FeedbackModel(restoreInner(j.inner), j.options ?? {});
    m.cal = IsotonicCalibrator.fromJSON(j.calibrator);
    m.reliability = ReliabilityTracker.fromJSON(j.reliability);
    m.rawReliability = ReliabilityTracker.fromJSON(j.rawReliability);
    m.counts = { ...j.counts };
    m.lateness = [...j.lateness];
    for (const [id, o] of j.outstanding) m.outstanding.set(id, o);
    return m;
  }
}

/** Whether `m` is a {@link FeedbackModel}. */
export function isFeedbackModel(m: NextStepModel): m is FeedbackModel {
  return m instanceof FeedbackModel;
}
