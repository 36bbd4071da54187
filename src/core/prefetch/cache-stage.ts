/**
 * The cache stage of the tick: sizes every ElastiCache pool (the prefetch state cache) with
 * core/plan/cache-sizing's `planCacheCapacity`, from the memory and throughput the prepared states
 * need over the pool's add lead time, at the pool's service-level quantile.
 *
 * Need per future slot (`slotSec` apart, from now to past the add lead time):
 * - states held now (pre-executions applied and not started yet), until their TTL ends;
 * - states the next-step predictions will have prepared: each chain's top-`topN` predictions with
 *   `probability ≥ probabilityThreshold` matched to a pending step that can be prepared (not
 *   critical, with a `prepare` phase and setup time), as the prefetch selection matches them. Such a
 *   state is prepared when its expected start is within the TTL (`prepAt = max(now, start − ttl)`),
 *   held until the step starts, and with probability `1 − p` (the prediction was wrong) until its TTL
 *   ends. The held-with-certainty part is added as is; the uncertain part's quantile is taken with a
 *   normal approximation of the sum of independent Bernoulli terms (mean + z·sd, capped at their
 *   total).
 * - throughput: every state is written once when prepared and read once when its step starts (with
 *   the prediction's probability), in chunks of {@link CACHE_CHUNK_MIB} MiB, each chunk one request;
 * - value: what the states in the slot are worth if kept until their step starts (probability ×
 *   {@link stateValueUsd}), per GiB of the slot's need. States of wrong predictions, held after their
 *   expected start, are worth nothing. The sizing weighs the states a growth would keep against the
 *   node-hours it costs.
 *
 * State size: the task's `preparedStateGiB` when given, else
 * core/model's `DEFAULT_PREPARED_STATE_MEMORY_SHARE` of its `resource_requirements.memoryGiB`.
 */
import { InputError, type CacheNodeOffering, type CachePool, type CapacitySnapshot, type Decision, type SafetyLimits, type ScaleCacheCommand } from '../model/index.js';
import { addUsage, cacheGrowthBreach, cacheGrowthSpend, type LimitUsage } from '../plan/limits.js';
import { normalQuantile } from '../forecast/stats.js';
import { planCacheCapacity, type CacheDemandSlot } from '../plan/cache-sizing.js';
import type { PlannerMemory } from '../plan/types.js';
import { setupSecondsOf, type PrefetchChainInput } from './selection.js';
import { preparedStateGiB, taskTypeOf } from '../model/index.js';
import { stateValueUsd, type PreparedStateLedger } from './ledger.js';
import { stepKey } from '../tick/chain-view.js';

export { PreparedStateLedger, stateValueUsd, type HeldState, type StateValuePrices } from './ledger.js';

/** Quantile of the need a cache pool covers when the pool names none. */
export const DEFAULT_CACHE_SERVICE_LEVEL = 0.95;
/**
 * Size of one cache request, MiB: states are stored in 1 MiB values (large Redis values block the
 * server; keeping values at or below about 1 MB is the usual advice, e.g. AWS's "Best practices:
 * Redis clients and ElastiCache").
 */
export const CACHE_CHUNK_MIB = 1;
/** Margin before need when growing a cache, seconds (planCacheCapacity's default). */
export const CACHE_MARGIN_SEC = 60;

/** Settings of the predicted-state part of the need. */
export interface CacheNeedPrefetch {
  readonly probabilityThreshold: number;
  readonly topN: number;
  readonly ttlSec: number;
  /** Values the states (absent: the slots carry no value and the sizing follows the need alone). */
  readonly usdPerVcpuHour?: number;
  /** @default 0 */
  readonly latencyValueUsdPerHour?: number;
}

/**
 * The cache need over `slots` slots from `nowSec` (see module doc).
 * @param prefetch absent: prefetch is off, only states held now count
 */
export function cacheDemandSlots(
  nowSec: number, slotSec: number, slots: number, level: number, ledger: PreparedStateLedger,
  chains: readonly PrefetchChainInput[], prefetch: CacheNeedPrefetch | undefined,
): CacheDemandSlot[] {
  const sure = new Array<number>(slots).fill(0);
  const mean = new Array<number>(slots).fill(0);
  const variance = new Array<number>(slots).fill(0);
  const cap = new Array<number>(slots).fill(0);
  const ops = new Array<number>(slots).fill(0);
  const value = new Array<number>(slots).fill(0);
  const prices = prefetch?.usdPerVcpuHour !== undefined ? { usdPerVcpuHour: prefetch.usdPerVcpuHour, latencyValueUsdPerHour: prefetch.latencyValueUsdPerHour ?? 0 } : undefined;
  const slotOf = (t: number): number => Math.floor((t - nowSec) / slotSec);
  const chunksPerGiB = 1024 / CACHE_CHUNK_MIB;
  for (const v of ledger.held.values()) {
    for (let k = 0; k < slots && nowSec + k * slotSec < v.untilSec; k++) { sure[k] += v.gib; value[k] += v.valueUsd ?? 0; }
  }
  if (prefetch) {
    for (const c of [...chains].sort((a, b) => (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0))) {
      const taken = new Set<string>();
      for (const p of c.predictions.slice(0, prefetch.topN)) {
        if (p.probability < prefetch.probabilityThreshold) continue;
        const step = c.pendingSteps.filter((s) => taskTypeOf(s.task) === p.taskType && !taken.has(s.task.task_id))
          .sort((a, b) => (a.task.task_id < b.task.task_id ? -1 : 1))[0];
        if (!step) continue;
        taken.add(step.task.task_id);
        if (ledger.held.has(stepKey(c.chainId, step.task.task_id))) continue;
        if (step.task.critical || !step.task.prepare || setupSecondsOf(step.task) <= 0) continue;
        const gib = preparedStateGiB(step.task);
        const startSec = nowSec + Math.max(0, p.expectedStartInSec);
        const prepAt = Math.max(nowSec, startSec - prefetch.ttlSec);
        const endSec = prepAt + prefetch.ttlSec;
        const q = 1 - p.probability;
        const worth = prices ? p.probability * stateValueUsd(step.task, prices) : 0;
        for (let k = 0; k < slots; k++) {
          const t = nowSec + k * slotSec;
          if (t + slotSec <= prepAt || t >= endSec) continue;
          if (t < startSec) { sure[k] += gib; value[k] += worth; }
          else { mean[k] += gib * q; variance[k] += gib * gib * q * (1 - q); cap[k] += gib; }
        }
        const kw = slotOf(prepAt);
        if (kw >= 0 && kw < slots) ops[kw] += (gib * chunksPerGiB) / slotSec;
        const kr = slotOf(startSec);
        if (kr >= 0 && kr < slots) ops[kr] += (p.probability * gib * chunksPerGiB) / slotSec;
      }
    }
  }
  const z = normalQuantile(level);
  return sure.map((s, k) => {
    const memoryGiB = s + Math.min(cap[k], Math.max(0, mean[k] + z * Math.sqrt(variance[k])));
    return {
      startSec: nowSec + k * slotSec, memoryGiB, opsPerSec: ops[k],
      ...(prices ? { valueUsdPerGiB: memoryGiB > 0 ? value[k] / memoryGiB : 0 } : {}),
    };
  });
}

/** Inputs of {@link planCacheStage}. */
export interface CacheStageInput {
  readonly nowSec: number;
  readonly tickSec: number;
  readonly slotSec: number;
  readonly pools: readonly CachePool[];
  readonly nodes: readonly CacheNodeOffering[];
  readonly capacity: CapacitySnapshot;
  readonly ledger: PreparedStateLedger;
  readonly chains: readonly PrefetchChainInput[];
  readonly prefetch: CacheNeedPrefetch | undefined;
  /** Planner memory per pool id (the cache pools' entries are read). */
  readonly memory: Readonly<Record<string, PlannerMemory>>;
  /**
   * The safety limits and what the tick uses of them before the caches (live capacity, the EC2 pools'
   * planned commands): each pool's growth is sized within the one spend budget (core/plan/limits.ts
   * `cacheGrowthBreach`, the check validate and the guard apply), the pools in order, each growth
   * counted against the next. Absent: growth is not limited here.
   */
  readonly budget?: { readonly limits: SafetyLimits; readonly usage: LimitUsage };
}

/** Scale commands, one `plan` decision per pool and the pools' new planner memory. */
export interface CacheStageOutput {
  readonly commands: readonly ScaleCacheCommand[];
  readonly decisions: readonly Decision[];
  readonly memory: Record<string, PlannerMemory>;
}

/**
 * Checks every cache pool's node type is in `nodes`.
 * @throws InputError naming the pool and the node type
 */
export function checkCacheNodes(pools: readonly CachePool[], nodes: readonly CacheNodeOffering[]): void {
  pools.forEach((p) => {
    if (!nodes.some((n) => n.nodeType === p.nodeType)) {
      throw new InputError({ field: `pools[${p.id}].nodeType` }, p.nodeType, `a node type with known memory and price (${nodes.map((n) => n.nodeType).join(', ')})`);
    }
  });
}

/** Sizes every cache pool (pools in the given order). */
export function planCacheStage(input: CacheStageInput): CacheStageOutput {
  const commands: ScaleCacheCommand[] = [];
  const decisions: Decision[] = [];
  const memory: Record<string, PlannerMemory> = {};
  const usage = input.budget ? { limits: input.budget.limits, now: input.budget.usage } : undefined;
  for (const pool of input.pools) {
    const state = input.capacity.caches.find((c) => c.poolId === pool.id);
    const listed = input.nodes.find((n) => n.nodeType === pool.nodeType);
    if (!listed) throw new InputError({ field: `pools[${pool.id}].nodeType` }, pool.nodeType, 'a node type with known memory and price');
    const node = state ? { ...listed, priceUsdPerHour: state.priceUsdPerNodeHour } : listed;
    const level = pool.serviceLevel ?? DEFAULT_CACHE_SERVICE_LEVEL;
    const horizonSec = input.tickSec + pool.addLeadTimeSec + CACHE_MARGIN_SEC;
    const slots = Math.ceil(horizonSec / input.slotSec) + 1;
    const demand = cacheDemandSlots(input.nowSec, input.slotSec, slots, level, input.ledger, input.chains, input.prefetch);
    const allowGrowth = usage && state ? (sh: number, r: number): boolean => !cacheGrowthBreach(usage.limits, usage.now, state, sh, r) : undefined;
    const out = planCacheCapacity({ nowSec: input.nowSec, tickSec: input.tickSec, pool, node, state, demand, memory: input.memory[pool.id] ?? {}, marginSec: CACHE_MARGIN_SEC, ...(allowGrowth ? { allowGrowth } : {}) });
    if (usage && state && out.command) {
      const add = cacheGrowthSpend(state, out.command.shards, out.command.replicasPerShard);
      if (add > 0) usage.now = addUsage(usage.now, { spendUsdPerHour: add });
    }
    memory[pool.id] = out.memory;
    if (out.command) commands.push(out.command);
    const needGiB = Math.max(0, ...demand.map((d) => d.memoryGiB));
    const needOps = Math.max(0, ...demand.map((d) => d.opsPerSec));
    decisions.push({
      atSec: input.nowSec, kind: 'plan', subject: pool.id,
      chosen: `${out.command ? 'scale to' : 'keep'} ${out.shards} shard(s) × ${1 + out.replicasPerShard} node(s) of ${pool.nodeType}`,
      reason: `${out.command?.reason ?? out.reason}; need q${level} ${needGiB.toFixed(3)} GiB, ${needOps.toFixed(1)} ops/s within ${horizonSec} s (${input.ledger.held.size} state(s) held); ${out.costUsdPerHour.toFixed(3)} USD/h`,
    });
  }
  return { commands, decisions, memory };
}
