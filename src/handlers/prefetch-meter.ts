/**
 * What pre-execution did in AWS, from the execution events the tick reads: steps that resumed from a
 * prepared state (`setupOutcome: resumed`) and the setup seconds they skipped, and steps with a
 * `prepare` phase that ran cold (`not-prepared`, `cache-unavailable`). The controller emits them per
 * tick (src/handlers/controller-runner.ts) for the dashboard's hit rate, seconds saved and waste.
 *
 * With an A/B test of prefetch configurations (`prefetch.abTest`, issue 22) it also keeps the figures
 * **per arm**, published with an `Arm` dimension (cdk/lib/observability.ts draws one row per arm):
 * - a preparation is a pre-execute command the Preparer accepted ({@link PrefetchMeter.prepared},
 *   through {@link meteredPreparer}); it carries its arm (core/predict/ab-selection.ts);
 * - it **settles** as a hit when its step's `finished`/`failed` event says `resumed` (setup seconds
 *   saved: the event's `setupSavedSec`), as waste when its step ran cold or when its TTL passed
 *   before the step started (wasted CPU-seconds = the task's setup seconds, `setupShare × mean
 *   runtime`, × its vCPUs; USD at DEFAULT_USD_PER_VCPU_HOUR, as `prescale export-report --ab` prices it);
 * - the Brier score of the arm's preparations: (p − o)² over the settled ones, p the command's
 *   probability and o = 1 when the prepared step started before its TTL passed;
 * - step latency: `runtimeSec` of every finished step of the arm's chains, one value per step;
 * - a step event without a known preparation (e.g. one made by a Lambda container since recycled) is
 *   given the arm the tick gives its chain (`abArmOf`: the principal when the events name one — the
 *   workers' events and the status handler's carry it from the execution input's `meta.principal` —
 *   else the chain id, as for events written before principals were carried). Preparations outstanding when a container is recycled are not settled: their
 *   waste is not counted (the figures are a lower bound of the waste then).
 */
import type { ExecutionEvent, PreExecuteCommand, Workflow } from '../core/model/index.js';
import type { AbTestConfig } from '../core/model/learning-config.js';
import { abArmOf } from '../core/predict/ab-selection.js';
import { DEFAULT_USD_PER_VCPU_HOUR, setupSecondsOf } from '../core/prefetch/selection.js';
import { TaskCatalog } from '../core/tick/chain-book.js';
import type { PrepareOutcome, Preparer } from '../ports/preparer.js';

/** Counts since the last {@link PrefetchMeter.drain}. */
export interface PrefetchCounts {
  readonly resumed: number;
  readonly setupSecSaved: number;
  /** Steps with a prepare phase that found no prepared state. */
  readonly cold: number;
  /** Per A/B arm (absent without `prefetch.abTest`), every configured arm present. */
  readonly byArm?: Readonly<Record<string, ArmTickFigures>>;
}

/** One arm's figures since the last drain (see the module comment). Seconds and USD are sums. */
export interface ArmTickFigures {
  /** Preparations the Preparer accepted. */
  readonly prepareRequests: number;
  /** Preparations settled (hits + waste), the hit rate's denominator. */
  readonly settled: number;
  /** Settled preparations whose step resumed from the prepared state. */
  readonly hits: number;
  /** Steps of the arm's chains that resumed (with or without a known preparation). */
  readonly resumed: number;
  /** Steps of the arm's chains with a prepare phase that ran cold. */
  readonly cold: number;
  readonly setupSecSaved: number;
  readonly wastedCpuSec: number;
  readonly wastedUsd: number;
  /** Sum of (p − o)² over the settled preparations (Brier = brierSum ÷ settled). */
  readonly brierSum: number;
  /** Runtimes of the arm's finished steps, seconds, in event order. */
  readonly stepLatencySec: readonly number[];
}

/** Options of {@link PrefetchMeter}. */
export interface PrefetchMeterOptions {
  /** The A/B test (absent: no per-arm figures). */
  readonly abTest?: AbTestConfig;
  /** The configured workflows (task setup seconds and vCPUs of the waste). */
  readonly workflows?: readonly Workflow[];
  /** TTL of a preparation whose command has none, seconds. @default 900 */
  readonly defaultTtlSec?: number;
  /** Most chains remembered (workflow, variant, principal) and preparations outstanding. @default 50000 */
  readonly maxTracked?: number;
}

interface Outstanding {
  readonly arm: string;
  readonly probability: number;
  readonly ttlSec: number;
  readonly wastedCpuSec: number;
  /** Set at the first drain after the preparation (the tick's time). */
  untilSec?: number;
  started: boolean;
}

type MutableArm = { -readonly [K in keyof ArmTickFigures]: K extends 'stepLatencySec' ? number[] : number };

const emptyArm = (): MutableArm => ({ prepareRequests: 0, settled: 0, hits: 0, resumed: 0, cold: 0, setupSecSaved: 0, wastedCpuSec: 0, wastedUsd: 0, brierSum: 0, stepLatencySec: [] });
const key = (chainId: string, taskId: string): string => `${chainId}\u0001${taskId}`;

/** See the module comment. */
export class PrefetchMeter {
  private counts = { resumed: 0, setupSecSaved: 0, cold: 0 };
  private readonly ab: AbTestConfig | undefined;
  private readonly catalog: TaskCatalog;
  private readonly chains = new Map<string, { workflow: string; variant?: string; principal?: string }>();
  private readonly outstanding = new Map<string, Outstanding>();
  private arms = new Map<string, MutableArm>();

  constructor(private readonly opts: PrefetchMeterOptions = {}) {
    this.ab = opts.abTest;
    this.catalog = new TaskCatalog(opts.workflows ?? []);
    this.resetArms();
  }

  /** Takes a batch of execution events. */
  observe(events: readonly ExecutionEvent[]): void {
    for (const e of events) {
      if (this.ab) this.remember(e);
      if (e.kind === 'started' && this.ab) {
        const o = this.outstanding.get(key(e.chainId, e.taskId));
        if (o) o.started = true;
      }
      if (e.kind !== 'finished' && e.kind !== 'failed') continue;
      const resumed = e.setupOutcome === 'resumed';
      const cold = e.setupOutcome === 'not-prepared' || e.setupOutcome === 'cache-unavailable';
      if (resumed) {
        this.counts.resumed++;
        this.counts.setupSecSaved += e.setupSavedSec ?? 0;
      } else if (cold) this.counts.cold++;
      if (!this.ab) continue;
      const k = key(e.chainId, e.taskId);
      const o = this.outstanding.get(k);
      const arm = this.arm(o?.arm ?? this.armOfChain(e.chainId));
      if (resumed) {
        arm.resumed++;
        arm.setupSecSaved += e.setupSavedSec ?? 0;
      } else if (cold) arm.cold++;
      if (e.kind === 'finished' && e.runtimeSec !== undefined && Number.isFinite(e.runtimeSec) && e.runtimeSec >= 0) arm.stepLatencySec.push(e.runtimeSec);
      if (o && e.setupOutcome !== undefined) {
        this.outstanding.delete(k);
        this.settle(arm, o, resumed, true);
      }
    }
  }

  /** Records a preparation the Preparer accepted (its arm: the command's, else its chain's). */
  prepared(c: PreExecuteCommand): void {
    if (!this.ab) return;
    const chain = this.chains.get(c.chainId);
    const def = chain ? this.catalog.get(chain.workflow, chain.variant, c.taskId)?.def : undefined;
    const setupSec = def ? setupSecondsOf(def) : (c.expectedSavedSec ?? 0);
    const arm = c.arm !== undefined && this.arms.has(c.arm) ? c.arm : this.armOfChain(c.chainId);
    this.arm(arm).prepareRequests++;
    this.outstanding.set(key(c.chainId, c.taskId), {
      arm, probability: Math.min(1, Math.max(0, c.probability)), ttlSec: c.ttlSec ?? this.opts.defaultTtlSec ?? 900,
      wastedCpuSec: Number.isFinite(setupSec) ? setupSec * (def?.resource_requirements.vcpu ?? 1) : 0, started: false,
    });
    this.bound(this.outstanding);
  }

  /**
   * The counts since the previous call, and resets them. At `nowSec` (the tick's time), preparations
   * whose TTL has passed before their step started settle as waste.
   */
  drain(nowSec?: number): PrefetchCounts {
    const c = this.counts;
    this.counts = { resumed: 0, setupSecSaved: 0, cold: 0 };
    if (!this.ab) return c;
    if (nowSec !== undefined) {
      for (const [k, o] of this.outstanding) {
        o.untilSec ??= nowSec + o.ttlSec;
        if (!o.started && o.untilSec <= nowSec) {
          this.outstanding.delete(k);
          this.settle(this.arm(o.arm), o, false, false);
        } else if (o.started && o.untilSec + 86_400 <= nowSec) this.outstanding.delete(k); // started, never finished: forgotten
      }
    }
    const byArm = Object.fromEntries([...this.arms].map(([name, a]) => [name, a as ArmTickFigures]));
    this.resetArms();
    return { ...c, byArm };
  }

  private settle(arm: MutableArm, o: Outstanding, hit: boolean, started: boolean): void {
    arm.settled++;
    if (hit) arm.hits++;
    else {
      arm.wastedCpuSec += o.wastedCpuSec;
      arm.wastedUsd += (o.wastedCpuSec * DEFAULT_USD_PER_VCPU_HOUR) / 3600;
    }
    arm.brierSum += (o.probability - (started ? 1 : 0)) ** 2;
  }

  private remember(e: ExecutionEvent): void {
    const had = this.chains.get(e.chainId);
    if (had && (had.principal !== undefined || e.principal === undefined)) return;
    this.chains.set(e.chainId, { workflow: e.workflow, ...(e.variant !== undefined ? { variant: e.variant } : {}), ...(e.principal !== undefined ? { principal: e.principal } : had?.principal !== undefined ? { principal: had.principal } : {}) });
    this.bound(this.chains);
  }

  private armOfChain(chainId: string): string {
    const principal = this.chains.get(chainId)?.principal;
    return abArmOf({ chainId, ...(principal !== undefined ? { principal } : {}) }, this.ab!);
  }

  private arm(name: string): MutableArm {
    let a = this.arms.get(name);
    if (!a) {
      a = emptyArm();
      this.arms.set(name, a);
    }
    return a;
  }

  private resetArms(): void {
    this.arms = new Map((this.ab?.arms ?? []).map((a) => [a.name, emptyArm()]));
  }

  private bound(m: Map<string, unknown>): void {
    const max = this.opts.maxTracked ?? 50_000;
    for (const k of m.keys()) {
      if (m.size <= max) break;
      m.delete(k);
    }
  }
}

/** `inner` with every accepted preparation recorded by `meter` (duplicates and refusals are not). */
export function meteredPreparer(inner: Preparer, meter: Pick<PrefetchMeter, 'prepared'>): Preparer {
  return {
    async prepare(c: PreExecuteCommand): Promise<PrepareOutcome> {
      const r = await inner.prepare(c);
      if (r.status === 'accepted') meter.prepared(c);
      return r;
    },
  };
}
