/**
 * What the controller tick builds once per process (app/tick.ts): the state and memory holders, the
 * forecast settings, the pools by kind, the learning and fingerprint hooks and the burst step classes,
 * plus the optional planner inputs a tick adds from its options. Construction only; no I/O.
 */
import type { CacheNodeOffering, CachePool, Ec2Pool, Offering } from '../../core/model/index.js';
import { DEFAULT_CACHE_NODE_TABLE } from '../../core/market/index.js';
import { checkCacheNodes } from '../../core/prefetch/cache-stage.js';
import { arrivalHeadroomByPool, type ArrivalHeadroom } from '../../core/plan/arrival-headroom.js';
import { stepClassesOf } from '../../core/plan/burst-route.js';
import type { WarmPoolOptions } from '../../core/plan/warm-pool.js';
import type { TickMemory } from '../../core/tick/memory.js';
import { FingerprintHooks } from '../history/fingerprint-hooks.js';
import { LearningHooks } from '../history/learning-hooks.js';
import { forecastSettings, type ForecastSettings } from './forecast.js';
import { TickMemoryHolder, TickStateHolder } from './state.js';
import type { TickDeps, TickLearningStats, TickOptions } from './types.js';
import { isFeedbackModel } from '../../core/predict/index.js';
import type { NextStepModel } from '../../core/predict/types.js';

/** What {@link tickSetup} builds. */
export interface TickSetup {
  readonly holder: TickStateHolder;
  /** The whole memory and the next-step model, under their own keys (app/tick/state.ts). */
  readonly saved: TickMemoryHolder;
  readonly settings: ForecastSettings;
  /** The prefetch selection, undefined when prefetch is off in the options or the config. */
  readonly prefetch: TickOptions['prefetch'] | undefined;
  readonly pools: readonly Ec2Pool[];
  readonly cachePools: readonly CachePool[];
  readonly cacheNodes: readonly CacheNodeOffering[];
  /** issue 22: bundles mined from the events, A/B arms. */
  readonly learning: LearningHooks;
  /** issue 22: the persisted fingerprint. */
  readonly fingerprints: FingerprintHooks;
  /** issue 19 item 5: the step classes the burst route is planned for. */
  readonly burstClasses: ReturnType<typeof stepClassesOf>;
}

/** Builds the tick's per-process parts. @throws Error when a cache pool's node type is not in the node table */
export function tickSetup(deps: TickDeps): TickSetup {
  const { config: cfg, options: opts = {} } = deps;
  const pools = cfg.pools.filter((p): p is Ec2Pool => p.kind === 'ec2');
  const cachePools = cfg.pools.filter((p): p is CachePool => p.kind === 'elasticache');
  const cacheNodes = opts.cacheNodes ?? DEFAULT_CACHE_NODE_TABLE;
  checkCacheNodes(cachePools, cacheNodes);
  return {
    holder: new TickStateHolder(deps.store), saved: new TickMemoryHolder(deps.store, deps.logger), settings: forecastSettings(deps),
    prefetch: opts.prefetch && cfg.prefetch.enabled ? opts.prefetch : undefined, pools, cachePools, cacheNodes,
    learning: new LearningHooks(cfg.prefetch), fingerprints: new FingerprintHooks(cfg.fingerprint, deps.store, deps.logger),
    burstClasses: stepClassesOf(cfg.workflows, new Set(pools.map((p) => p.id))),
  };
}

/** The optional planner inputs of this tick (core/tick/plan.ts): warm pools and arrival headroom, when the options turn them on. */
export function optionalPlanInputs(deps: TickDeps, at: { nowSec: number; slotSec: number; slots: number; levels: readonly number[]; pools: readonly Ec2Pool[]; offeringsByPool: ReadonlyMap<string, readonly Offering[]>; memory: TickMemory }): { warmPools?: WarmPoolOptions; arrivalHeadroom?: ReadonlyMap<string, ArrivalHeadroom> } {
  const { config: cfg, options: opts = {} } = deps;
  return {
    ...(opts.warmPools ? { warmPools: opts.warmPools } : {}),
    ...(opts.arrivalHeadroom ? { arrivalHeadroom: arrivalHeadroomByPool({ nowSec: at.nowSec, slotSec: at.slotSec, slots: at.slots, levels: at.levels, pools: at.pools, offeringsByPool: at.offeringsByPool, workflows: cfg.workflows, behaviour: at.memory.behaviour, latencyValueUsdPerHour: cfg.prefetch.latencyValueUsdPerHour }) } : {}),
  };
}

/** The learning loop's cumulative figures: the feedback model's scored outcomes and Brier sum, the bundle outcomes. */
export function learningStats(nextStep: NextStepModel, learning: LearningHooks): TickLearningStats {
  const bundles = learning.bundleOutcomes();
  if (!isFeedbackModel(nextStep)) return { bundles };
  const r = nextStep.summary().reliability;
  return { calibration: { outcomes: r.n, brierSum: r.brier * r.n }, bundles };
}
