/**
 * The user's fleet and policy applied to a scenario: how a metric maps to capacity
 * (`metricPerVcpu`), the shape of the metric-driven pool (instance requirements, min/max, on-demand
 * floor) and the user's current Auto Scaling policy (target, warm-up, cooldown, predictive scaling's
 * mode and buffers). The same settings come from flags, from a `--fleet` JSON file (the keys below)
 * or from `aws autoscaling describe-auto-scaling-groups` / `describe-policies` output (asg-import.ts);
 * each setting used is recorded with its source in `scenario.settings`, which the report prints.
 */
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../../core/model/index.js';
import { parseScenario, type Scenario } from './schema.js';
import type { RunSetting } from './current-policy.js';

/** The settings a user can give, all optional (a `--fleet` file holds this object). */
export const FleetOptionsSchema = z.strictObject({
  /** Metric value one vCPU serves (demand vCPU = metric / metricPerVcpu): the target-tracking target per vCPU. */
  metricPerVcpu: z.number().positive().optional(),
  /** The pool the shape settings apply to. @default the first pool a metric drives */
  pool: z.string().min(1).optional(),
  vcpuMin: z.number().positive().optional(),
  vcpuMax: z.number().positive().optional(),
  memoryGiBPerVcpuMin: z.number().nonnegative().optional(),
  /** Instance families (or types) allowed, e.g. ["m6i", "c6i"]. */
  instanceFamilies: z.array(z.string().min(1)).min(1).optional(),
  /** Pool minimum and maximum, vCPU. */
  minVcpu: z.number().nonnegative().optional(),
  maxVcpu: z.number().positive().optional(),
  /** On-demand base capacity, vCPU (OnDemandBaseCapacity). */
  onDemandBaseVcpu: z.number().nonnegative().optional(),
  /** On-demand percentage above base (OnDemandPercentageAboveBaseCapacity), 0–100. */
  onDemandPct: z.number().min(0).max(100).optional(),
  /** The current target-tracking target: a metric value per vCPU (like metricPerVcpu), or "N%" of CPU. */
  reactiveTarget: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?%$/)]).optional(),
  warmupSec: z.number().nonnegative().optional(),
  cooldownSec: z.number().nonnegative().optional(),
  predictiveMode: z.enum(['ForecastAndScale', 'ForecastOnly']).optional(),
  /** SchedulingBufferTime, seconds. */
  predictiveBufferSec: z.number().int().min(0).max(3600).optional(),
  /** Percent added to the capacity forecast. */
  predictiveBufferPct: z.number().min(0).max(100).optional(),
});
/** Fleet settings as given. */
export type FleetOptions = z.infer<typeof FleetOptionsSchema>;
/** Where each given setting came from (a flag, "fleet.json: key", "asg.json: MinSize"...). */
export type FleetSources = Partial<Record<keyof FleetOptions, string>>;

/** The flag of each setting, for messages and the report. */
export const FLEET_FLAGS: Readonly<Record<keyof FleetOptions, string>> = {
  metricPerVcpu: '--metric-per-vcpu', pool: '--pool', vcpuMin: '--vcpu-min', vcpuMax: '--vcpu-max', memoryGiBPerVcpuMin: '--memory-per-vcpu',
  instanceFamilies: '--instance-families', minVcpu: '--min-vcpu', maxVcpu: '--max-vcpu', onDemandBaseVcpu: '--on-demand-base',
  onDemandPct: '--on-demand-pct', reactiveTarget: '--reactive-target', warmupSec: '--warmup', cooldownSec: '--cooldown',
  predictiveMode: '--predictive-mode', predictiveBufferSec: '--predictive-buffer', predictiveBufferPct: '--predictive-buffer-pct',
};

/**
 * Parses a `--fleet` file's object.
 * @throws InputError naming the file and the first bad key
 */
export function parseFleetFile(raw: unknown, file: string): { options: FleetOptions; sources: FleetSources } {
  const r = FleetOptionsSchema.safeParse(raw);
  if (!r.success) throw inputErrorFromZod(r.error.issues, raw, file);
  const sources: FleetSources = {};
  for (const k of Object.keys(r.data) as Array<keyof FleetOptions>) sources[k] = `${file}: ${k}`;
  return { options: r.data, sources };
}

/** Layers of settings, later ones win (e.g. ASG import, then the --fleet file, then flags). */
export function mergeFleet(...layers: ReadonlyArray<{ options: FleetOptions; sources: FleetSources }>): { options: FleetOptions; sources: FleetSources } {
  const options: Record<string, unknown> = {};
  const sources: FleetSources = {};
  for (const l of layers) {
    for (const [k, v] of Object.entries(l.options)) {
      if (v === undefined) continue;
      options[k] = v;
      sources[k as keyof FleetOptions] = l.sources[k as keyof FleetOptions] ?? FLEET_FLAGS[k as keyof FleetOptions];
    }
  }
  return { options: options as FleetOptions, sources };
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/**
 * Applies the settings to a scenario and records every scaling and policy setting the run uses
 * (given ones with their source, the rest as defaults) in `settings`, after the scenario's own
 * settings (e.g. the traces' default metric scaling).
 * @throws InputError naming the user's flag (or file key) for a setting that does not fit the scenario
 */
export function applyFleet(sc: Scenario, fleet: { options: FleetOptions; sources: FleetSources }): Scenario {
  const o = fleet.options;
  const src = (k: keyof FleetOptions): string => fleet.sources[k] ?? FLEET_FLAGS[k];
  const settings: RunSetting[] = [];
  let demandSignals = sc.demandSignals;
  if (o.metricPerVcpu !== undefined) {
    demandSignals = sc.demandSignals.map((d) => ({ ...d, metricPerUnit: o.metricPerVcpu! }));
    settings.push({ name: 'metric per vCPU (every series)', value: fmt(o.metricPerVcpu), source: src('metricPerVcpu') });
  } else {
    const given = sc.settings.some((s) => s.name.startsWith('metric per vCPU'));
    if (!given) for (const d of sc.demandSignals) settings.push({ name: `metric per vCPU (${d.seriesId})`, value: fmt(d.metricPerUnit), source: sc.sources.some((x) => x.startsWith('generated')) ? 'the embedded default scenario' : 'the scenario file' });
  }
  const driven = [...new Set(demandSignals.map((d) => d.poolId))];
  const poolId = o.pool ?? driven[0] ?? sc.pools[0].id;
  const poolIndex = sc.pools.findIndex((p) => p.id === poolId);
  if (poolIndex < 0) throw new InputError({ field: src('pool') }, poolId, `one of the pools (${sc.pools.map((p) => p.id).join(', ')})`);
  const base = sc.pools[poolIndex];
  const ir = {
    ...base.instanceRequirements,
    ...(o.vcpuMin !== undefined ? { vcpuMin: o.vcpuMin } : {}),
    ...(o.vcpuMax !== undefined ? { vcpuMax: o.vcpuMax } : {}),
    ...(o.memoryGiBPerVcpuMin !== undefined ? { memoryGiBPerVcpuMin: o.memoryGiBPerVcpuMin } : {}),
    ...(o.instanceFamilies !== undefined ? { allowedFamilies: o.instanceFamilies } : {}),
  };
  if (ir.vcpuMin > ir.vcpuMax) throw new InputError({ field: o.vcpuMin !== undefined ? src('vcpuMin') : src('vcpuMax') }, o.vcpuMin ?? o.vcpuMax, `a vCPU range with min <= max (got ${ir.vcpuMin}–${ir.vcpuMax})`);
  const pool = {
    ...base,
    instanceRequirements: ir,
    ...(o.minVcpu !== undefined ? { minUnits: o.minVcpu } : {}),
    ...(o.maxVcpu !== undefined ? { maxUnits: o.maxVcpu } : {}),
    ...(o.onDemandBaseVcpu !== undefined ? { onDemandFloorUnits: o.onDemandBaseVcpu } : {}),
    ...(o.onDemandPct !== undefined ? { onDemandFloorShare: o.onDemandPct / 100 } : {}),
  };
  if (pool.minUnits > pool.maxUnits) throw new InputError({ field: o.minVcpu !== undefined ? src('minVcpu') : src('maxVcpu') }, o.minVcpu ?? o.maxVcpu, `a pool size with min <= max (got ${pool.minUnits}–${pool.maxUnits} vCPU)`);
  let maxRaised: string | undefined;
  if (o.metricPerVcpu !== undefined && o.maxVcpu === undefined) {
    // the embedded maximum was sized for the default scaling; keep room for the user's peak demand
    const peak = demandPeakUnits(sc, demandSignals, poolId);
    if (peak * 2 > pool.maxUnits) {
      pool.maxUnits = Math.ceil(peak * 2);
      maxRaised = `default: 2 × the peak demand of ${fmt(peak)} vCPU at ${src('metricPerVcpu')}`;
    }
  }
  const fromOr = (k: keyof FleetOptions): string => (o[k] !== undefined ? src(k) : 'default');
  settings.push(
    { name: `${poolId}: instance vCPU`, value: `${fmt(ir.vcpuMin)}–${fmt(ir.vcpuMax)}`, source: o.vcpuMin !== undefined ? src('vcpuMin') : fromOr('vcpuMax') },
    { name: `${poolId}: instance families`, value: ir.allowedFamilies.join(', ') || 'any current generation', source: fromOr('instanceFamilies') },
    { name: `${poolId}: min / max vCPU`, value: `${fmt(pool.minUnits)} / ${fmt(pool.maxUnits)}`, source: o.minVcpu !== undefined ? src('minVcpu') : maxRaised ?? fromOr('maxVcpu') },
    { name: `${poolId}: on-demand base vCPU / % above base`, value: `${fmt(pool.onDemandFloorUnits)} / ${fmt(pool.onDemandFloorShare * 100)} %`, source: o.onDemandBaseVcpu !== undefined ? src('onDemandBaseVcpu') : fromOr('onDemandPct') },
  );
  const cp = { ...sc.currentPolicy };
  if (o.reactiveTarget !== undefined) {
    if (typeof o.reactiveTarget === 'string') cp.targetUtilization = Math.min(1, Number(o.reactiveTarget.slice(0, -1)) / 100);
    else {
      const per = demandSignals.map((d) => d.metricPerUnit);
      if (new Set(per).size > 1) throw new InputError({ field: src('reactiveTarget') }, o.reactiveTarget, `a CPU target such as "50%", or ${FLEET_FLAGS.metricPerVcpu} too: the series have different metric-per-vCPU scalings (${per.map(fmt).join(', ')})`);
      const u = o.reactiveTarget / per[0];
      if (!(u > 0) || u > 1 + 1e-9) throw new InputError({ field: src('reactiveTarget') }, o.reactiveTarget, `a target per vCPU at most the metric per vCPU (${fmt(per[0])}): a higher target holds less capacity than the demand`);
      cp.targetUtilization = Math.min(1, u);
    }
    if (!(cp.targetUtilization > 0)) throw new InputError({ field: src('reactiveTarget') }, o.reactiveTarget, 'a target above 0');
  }
  if (o.warmupSec !== undefined) cp.instanceWarmupSec = o.warmupSec;
  if (o.cooldownSec !== undefined) cp.scaleInCooldownSec = o.cooldownSec;
  if (o.predictiveMode !== undefined) cp.predictiveMode = o.predictiveMode;
  if (o.predictiveBufferSec !== undefined) cp.schedulingBufferSec = o.predictiveBufferSec;
  if (o.predictiveBufferPct !== undefined) cp.predictiveBufferPct = o.predictiveBufferPct;
  settings.push(
    { name: 'current policy: target tracking target', value: o.reactiveTarget === undefined ? `${fmt(cp.targetUtilization * 100)} % of a vCPU's metric` : typeof o.reactiveTarget === 'string' ? `${o.reactiveTarget} CPU` : `${fmt(o.reactiveTarget)} per vCPU (${fmt(cp.targetUtilization * 100)} %)`, source: fromOr('reactiveTarget') },
    { name: 'current policy: instance warm-up / scale-in cooldown', value: `${fmt(cp.instanceWarmupSec)} s / ${fmt(cp.scaleInCooldownSec)} s`, source: o.warmupSec !== undefined ? src('warmupSec') : fromOr('cooldownSec') },
    { name: 'current policy: predictive scaling', value: `${cp.predictiveMode}, buffer ${fmt(cp.schedulingBufferSec)} s, +${fmt(cp.predictiveBufferPct)} %`, source: o.predictiveMode !== undefined ? src('predictiveMode') : o.predictiveBufferSec !== undefined ? src('predictiveBufferSec') : fromOr('predictiveBufferPct') },
  );
  const predictive = (o.predictiveMode !== undefined || o.predictiveBufferSec !== undefined || o.predictiveBufferPct !== undefined) && cp.predictiveMode === 'ForecastAndScale';
  const baselinePolicy = predictive ? 'predictive-hourly' : sc.baselinePolicy;
  settings.push({ name: 'your current policy is replayed by', value: baselinePolicy, source: predictive ? 'predictive scaling settings given' : 'default (target tracking)' });
  const pools = sc.pools.map((p, i) => (i === poolIndex ? pool : p));
  const kept = o.metricPerVcpu !== undefined ? sc.settings.filter((x) => !x.name.startsWith('metric per vCPU')) : sc.settings;
  return parseScenario({ ...sc, demandSignals, pools, currentPolicy: cp, baselinePolicy, settings: [...kept, ...settings] });
}

/** Largest metric demand of the pool over the series, vCPU (sum of each series' maximum / its metric per vCPU). */
function demandPeakUnits(sc: Scenario, signals: Scenario['demandSignals'], poolId: string): number {
  let peak = 0;
  for (const d of signals) {
    if (d.poolId !== poolId) continue;
    const s = sc.series.find((x) => x.id === d.seriesId);
    let max = 0;
    for (const v of s?.values ?? []) if (Number.isFinite(v) && v > max) max = v;
    peak += max / d.metricPerUnit;
  }
  return peak;
}
