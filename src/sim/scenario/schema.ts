/**
 * The backtest scenario: everything one run needs, as data. Parsed with zod at the edge; semantic
 * checks (references between parts) follow in `validateScenario`. The embedded default generator and
 * the real-trace loader both produce this shape.
 */
import { z } from 'zod';
import { topologicalOrder } from '../../core/signals/dag.js';
import { CachePoolSchema, DemandSignalSchema, Ec2PoolSchema, inputErrorFromZod, InputError, PolicySchema, PrincipalSchema, WorkflowSchema } from '../../core/model/index.js';
import { DEFAULT_CACHE_NODE_TABLE } from '../../core/market/index.js';
import { CurrentPolicySchema, DEFAULT_CURRENT_POLICY, RunSettingSchema } from './current-policy.js';

const InstanceTypePriceSchema = z.object({
  instanceType: z.string().min(1),
  vcpu: z.number().positive(),
  memoryGiB: z.number().positive(),
  arch: z.enum(['x86_64', 'arm64']),
  onDemandUsdPerHour: z.number().positive(),
  spotUsdPerHour: z.number().positive().optional(),
  interruptionBucket: z.number().int().min(0).max(4).optional(),
  currentGeneration: z.boolean().default(true),
});

const MetricSeriesSchema = z.object({
  id: z.string().min(1),
  startSec: z.number(),
  periodSec: z.number().positive(),
  /** Values per period; gaps are NaN (written as null in JSON). */
  values: z.array(z.union([z.number(), z.nan(), z.null().transform(() => Number.NaN)])).min(1),
  unit: z.string().optional(),
});

const ChainArrivalSchema = z.object({
  atSec: z.number(),
  chainId: z.string().min(1),
  workflow: z.string().min(1),
  variant: z.string().min(1).optional(),
  principal: z.string().min(1).optional(),
});

/** Lead time ranges of simulated launches, seconds (see sim/cloud/lead-time.ts). */
const LeadTimeSchema = z.object({
  defaultRangeSec: z.tuple([z.number().nonnegative(), z.number().nonnegative()]).default([60, 180]),
  byFamilySec: z.record(z.string(), z.tuple([z.number().nonnegative(), z.number().nonnegative()])).default({}),
  multiplier: z.number().positive().default(1),
});

/**
 * How the chain service composes chains (issue 4): composer weights, minimum fit and fallback
 * (core/compose's ComposerOptions), and the switch triggers' settings.
 */
const ComposerSchema = z.object({
  /** Compose chains that do not pin a variant; false: run the arrival's variant or the first one. */
  enabled: z.boolean().default(true),
  weights: z.object({ probability: z.number().nonnegative(), fit: z.number().nonnegative(), cost: z.number().nonnegative() }).optional(),
  minFit: z.number().min(0).max(1).optional(),
  fallback: z.enum(['queue', 'request-capacity']).default('queue'),
  /** A running step overrunning its p95 runtime × this factor triggers a re-score. */
  overrunFactor: z.number().min(1).default(1.5),
  maxSwitchesPerChain: z.number().int().nonnegative().default(1),
});

/** Prices valuing speculative preparations (see sim/workload/prefetch-ledger.ts). */
const PrefetchCostSchema = z.object({
  usdPerVcpuHour: z.number().nonnegative().default(0.024),
  usdPerGiBHour: z.number().nonnegative().default(0.006),
});

/** A backtest scenario. */
export const ScenarioSchema = z.object({
  name: z.string().min(1),
  seed: z.number().int(),
  /** Epoch seconds of the first simulated tick; series values before it are history. */
  startSec: z.number().int(),
  /** Simulated days (ticks run `days` × 86 400 s, then a drain until every chain completes). */
  days: z.number().positive(),
  tickSec: z.number().int().positive().default(60),
  /** Longest drain after the last tick, seconds, before the run stops with incomplete work. */
  maxDrainSec: z.number().int().positive().default(2 * 86_400),
  pools: z.array(Ec2PoolSchema).min(1),
  /**
   * ElastiCache pools (the prefetch state cache), priced from core/market's DEFAULT_CACHE_NODE_TABLE.
   * A world holds them only for a policy that uses them (WorldOptions.withCaches).
   */
  caches: z.array(CachePoolSchema).default([]),
  prices: z.array(InstanceTypePriceSchema).min(1),
  series: z.array(MetricSeriesSchema).default([]),
  demandSignals: z.array(DemandSignalSchema).default([]),
  workflows: z.array(WorkflowSchema).default([]),
  arrivals: z.array(ChainArrivalSchema).default([]),
  leadTime: LeadTimeSchema.default({ defaultRangeSec: [60, 180], byFamilySec: {}, multiplier: 1 }),
  /** Multiplies every spot hazard (sensitivity runs). */
  hazardMultiplier: z.number().nonnegative().default(1),
  /**
   * The Lambda burst tier is available (issue 19): prescale and the oracle may run a queued step that
   * fits Lambda's limits there when waiting for EC2 costs more (core/plan/burst.ts; the step runs
   * after Lambda's 1 s start, billed per GB-second and request). The baselines never burst.
   * @default true
   */
  lambdaBurst: z.boolean().default(true),
  /**
   * EC2 Auto Scaling warm pools (issue 19): prescale keeps stopped on-demand instances per pool, sized
   * by core/plan/warm-pool.ts, and starts them for urgent launches (sim/cloud/warm-pool.ts models their
   * 30–60 s start and EBS-only holding cost). The baselines and the oracle (instant capacity) hold none.
   * @default false (docs/benchmarks.md "Warm pools (issue 19)")
   */
  warmPools: z.boolean().default(false),
  /** Rebalance recommendations and insufficient-capacity episodes (sim/cloud/spot-risk.ts, whose defaults these are). */
  spotRisk: z.object({
    enabled: z.boolean().default(true),
    rebalanceLeadMaxSec: z.number().nonnegative().default(1800),
    falseRebalancesPerInterruption: z.number().nonnegative().default(2),
    iceEpisodesPerInterruption: z.number().nonnegative().default(1),
    iceEpisodeSec: z.number().positive().default(180),
  }).strict().default({ enabled: true, rebalanceLeadMaxSec: 1800, falseRebalancesPerInterruption: 2, iceEpisodesPerInterruption: 1, iceEpisodeSec: 180 }),
  /** TTL of prepared step state, seconds. */
  prefetchTtlSec: z.number().positive().default(900),
  /** The prescale policy's value of an hour of step latency saved, USD (core/model PrefetchConfig `latencyValueUsdPerHour`). */
  prefetchLatencyValueUsdPerHour: z.number().nonnegative().default(0),
  /** Principals (tenants, users, roles) submitting chains; arrivals name them. */
  principals: z.array(PrincipalSchema).default([]),
  /** Authorization policies; none: every principal may run every variant (policy "scenario-allow-all"). */
  policies: z.array(PolicySchema).default([]),
  composer: ComposerSchema.default({ enabled: true, fallback: 'queue', overrunFactor: 1.5, maxSwitchesPerChain: 1 }),
  prefetchCost: PrefetchCostSchema.default({ usdPerVcpuHour: 0.024, usdPerGiBHour: 0.006 }),
  /** Where the inputs came from, for the report. */
  sources: z.array(z.string()).default(['generated']),
  /** The user's current Auto Scaling policy, replayed by the reactive and predictive-hourly baselines. */
  currentPolicy: CurrentPolicySchema.default(DEFAULT_CURRENT_POLICY),
  /** The scaling and policy settings the run used, with their sources (printed at the top of the report). */
  settings: z.array(RunSettingSchema).default([]),
  /** The baseline that replays the user's current policy: reactive (target tracking), or predictive-hourly when they use predictive scaling. */
  baselinePolicy: z.string().min(1).default('reactive'),
  /** Warnings about the inputs (missing price files, shifted series...), written into the report's assumptions. */
  inputNotes: z.array(z.string()).default([]),
});
/** A parsed scenario (defaults applied). */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as written. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/**
 * Parses and validates a scenario.
 * @param raw the object (e.g. parsed JSON)
 * @param file where it came from, for error messages
 * @throws InputError naming the first failing field
 */
export function parseScenario(raw: unknown, file?: string): Scenario {
  const r = ScenarioSchema.safeParse(raw);
  if (!r.success) throw inputErrorFromZod(r.error.issues, raw, file);
  validateScenario(r.data, file);
  return r.data;
}

/**
 * Checks references: demand signals name known series and pools, workflow tasks bind to known pools,
 * arrivals name known workflows and variants, series are long enough to cover the run, cache pools
 * have their own ids and a priced node type.
 * @throws InputError on the first broken reference
 */
export function validateScenario(s: Scenario, file?: string): void {
  const pools = new Set(s.pools.map((p) => p.id));
  const series = new Map(s.series.map((x) => [x.id, x]));
  s.demandSignals.forEach((d, i) => {
    if (!series.has(d.seriesId)) throw new InputError({ file, field: `demandSignals[${i}].seriesId` }, d.seriesId, `one of the series ids (${[...series.keys()].join(', ') || 'none'})`);
    if (!pools.has(d.poolId)) throw new InputError({ file, field: `demandSignals[${i}].poolId` }, d.poolId, `one of the pools (${[...pools].join(', ')})`);
  });
  s.series.forEach((x, i) => {
    x.values.forEach((v, j) => {
      if (!Number.isNaN(v) && (!Number.isFinite(v) || v < 0)) throw new InputError({ file, field: `series[${i}].values[${j}]` }, v, 'a finite number >= 0');
    });
  });
  const wfs = new Map(s.workflows.map((w) => [w.name, w]));
  s.workflows.forEach((w, i) => w.variants.forEach((v, j) => {
    const bound = [v.defaultPool, ...Object.values(v.poolBindings)];
    for (const p of bound) if (!pools.has(p)) throw new InputError({ file, field: `workflows[${i}].variants[${j}].defaultPool` }, p, `one of the pools (${[...pools].join(', ')})`);
    const ids = new Set(v.tasks.map((t) => t.task_id));
    v.tasks.forEach((t, k) => t.dependencies.forEach((d) => {
      if (!ids.has(d)) throw new InputError({ file, field: `workflows[${i}].variants[${j}].tasks[${k}].dependencies` }, d, 'a task_id of the same variant');
    }));
    const deps = new Map(v.tasks.map((t) => [t.task_id, t.dependencies]));
    const topo = topologicalOrder([...ids], (id) => deps.get(id) ?? []);
    if ('cycle' in topo) throw new InputError({ file, field: `workflows[${i}].variants[${j}].tasks` }, topo.cycle.join(' -> '), 'an acyclic dependency graph');
  }));
  s.arrivals.forEach((a, i) => {
    const w = wfs.get(a.workflow);
    if (!w) throw new InputError({ file, field: `arrivals[${i}].workflow` }, a.workflow, `one of the workflows (${[...wfs.keys()].join(', ') || 'none'})`);
    if (a.variant && !w.variants.some((v) => v.name === a.variant)) throw new InputError({ file, field: `arrivals[${i}].variant` }, a.variant, `a variant of ${a.workflow}`);
  });
  s.caches.forEach((c, i) => {
    if (pools.has(c.id) || s.caches.findIndex((x) => x.id === c.id) !== i) throw new InputError({ file, field: `caches[${i}].id` }, c.id, 'a pool id used once among pools and caches');
    if (!DEFAULT_CACHE_NODE_TABLE.some((n) => n.nodeType === c.nodeType)) {
      throw new InputError({ file, field: `caches[${i}].nodeType` }, c.nodeType, `one of the priced node types (${DEFAULT_CACHE_NODE_TABLE.map((n) => n.nodeType).join(', ')})`);
    }
  });
  const principals = new Set(s.principals.map((p) => p.id));
  if (principals.size > 0) {
    s.arrivals.forEach((a, i) => {
      if (a.principal && !principals.has(a.principal)) throw new InputError({ file, field: `arrivals[${i}].principal` }, a.principal, `one of the principals (${[...principals].join(', ')})`);
    });
  }
  const ids = new Set<string>();
  s.arrivals.forEach((a, i) => {
    if (ids.has(a.chainId)) throw new InputError({ file, field: `arrivals[${i}].chainId` }, a.chainId, 'a chain id used once');
    ids.add(a.chainId);
  });
}
