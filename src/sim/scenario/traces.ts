/**
 * A scenario from real traces: metric files (CSV or `aws cloudwatch get-metric-data` JSON) drive a
 * `web` pool, WfFormat workflow executions run as chains on a spot-friendly `batch` pool.
 *
 * Mapping (modelling choices, stated in the report's sources):
 * - Each metric series gets `metricPerUnit` = its 95th percentile / `unitsPerSeries` (default 8), so
 *   every series needs about 8 vCPU at its p95; the pool's demand is the sum over series.
 * - Series are aligned on a common timeline: the last `historyDays + days` days of each are shifted so
 *   the run starts at the first series' own time `historyDays` days before its end.
 * - Without `--arrivals`, chains arrive as a Poisson process whose rate follows the first series'
 *   shape, scaled so the batch pool averages `batchUnits` (default 16) vCPU of tasks; workflows are
 *   picked uniformly among the traces.
 * - Task resources are clamped to the largest batch offering; every non-critical task gets a setup
 *   share of 0.2 and a `prepare` phase (WfFormat records no setup split).
 * - Prepared states live in the default scenario's prefetch state cache (`DEFAULT_PREFETCH_CACHE`: one
 *   cache.t4g.small shard to start), which prescale sizes and pays for.
 */
import { existsSync } from 'node:fs';
import { Ec2PoolSchema, InputError, WorkflowSchema, type Workflow } from '../../core/model/index.js';
import { DEFAULT_PRICE_TABLE, buildOfferings, type InstanceTypePrice } from '../../core/market/index.js';
import { createRandom, drawExponential } from '../../core/rng.js';
import { readMetricSeriesFile } from '../../adapters/files/metric-file.js';
import { readWorkflowTraces } from '../../adapters/files/wfformat-reader.js';
import { FilePriceCatalog } from '../../adapters/files/price-files.js';
import { seriesValueAt } from '../demand-grid.js';
import type { ChainArrival } from '../workload/types.js';
import { parseScenario, type Scenario, type ScenarioInput } from './schema.js';
import { DEFAULT_PREFETCH_CACHE } from './default.js';
import { readArrivalsFile } from '../../adapters/files/arrivals-file.js';
import { arrivalsFromCounts, type ChainArrival as TraceArrival } from '../../core/signals/arrivals.js';

/** Options of {@link tracesScenario}. */
export interface TracesOptions {
  readonly metrics: readonly string[];
  readonly workflows: readonly string[];
  readonly arrivals?: string;
  readonly pricesDir?: string;
  readonly days?: number;
  readonly seed?: number;
  readonly historyDays?: number;
  readonly unitsPerSeries?: number;
  readonly batchUnits?: number;
}

const DAY = 86_400;

function p95(values: readonly number[]): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(0.95 * s.length))] : 0;
}

/** Builds the scenario. @throws InputError for bad files (from the readers) or too short series */
export async function tracesScenario(o: TracesOptions): Promise<Scenario> {
  if (o.metrics.length === 0) throw new InputError({ field: '--metrics' }, [], 'at least one metric file');
  if (o.workflows.length === 0) throw new InputError({ field: '--workflows' }, [], 'at least one WfFormat file or directory');
  const seed = o.seed ?? 42;
  const read = [];
  for (const f of o.metrics) {
    if (!existsSync(f)) throw new InputError({ file: f, field: '--metrics' }, f, 'an existing metric file (CSV or get-metric-data JSON)');
    for (const r of await readMetricSeriesFile(f)) read.push({ file: f, s: r.series });
  }
  const first = read[0].s;
  const firstLenDays = (first.values.length * first.periodSec) / DAY;
  const days = o.days ?? Math.max(1, Math.min(7, Math.floor(firstLenDays / 2)));
  const historyDays = o.historyDays ?? Math.min(7, Math.max(1, Math.floor(firstLenDays - days)));
  const firstEnd = first.startSec + first.values.length * first.periodSec;
  const startSec = Math.floor((firstEnd - days * DAY) / 3600) * 3600;
  const series = read.map(({ file, s }) => {
    const lenSec = s.values.length * s.periodSec;
    if (lenSec < (days + 1) * DAY) throw new InputError({ file }, `${(lenSec / DAY).toFixed(1)} days`, `a series of at least ${days + 1} days (${days} simulated + 1 of history)`);
    const keep = Math.min(s.values.length, Math.ceil(((days + historyDays) * DAY) / s.periodSec));
    const values = s.values.slice(s.values.length - keep);
    const end = startSec + days * DAY;
    return { id: s.id, startSec: end - values.length * s.periodSec, periodSec: s.periodSec, values: values.map((v) => (Number.isFinite(v) ? v : Number.NaN)) };
  });
  const unitsPerSeries = o.unitsPerSeries ?? 8;
  const demandSignals = series.map((s) => ({ seriesId: s.id, poolId: 'web', metricPerUnit: Math.max(1e-9, p95(s.values) / unitsPerSeries) }));
  const prices: InstanceTypePrice[] = o.pricesDir ? await new FilePriceCatalog(o.pricesDir).instanceTypes('us-east-1') : DEFAULT_PRICE_TABLE.map((p) => ({ ...p }));
  const pools = [
    { kind: 'ec2' as const, id: 'web', instanceRequirements: { vcpuMin: 2, vcpuMax: 8, allowedFamilies: ['c6i', 'c7g', 'm6i', 'm6g'] }, availabilityZones: ['us-east-1a', 'us-east-1b'], onDemandFloorShare: 0.3, serviceLevel: 0.95, minUnits: 2, maxUnits: Math.max(64, unitsPerSeries * series.length * 4) },
    { kind: 'ec2' as const, id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 16, memoryGiBPerVcpuMin: 4, allowedFamilies: ['m5', 'm6i', 'm6a', 'm7i', 'r6g', 'm6g'] }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], serviceLevel: 0.9, minUnits: 0, maxUnits: 1024, maxSpotSharePerOffering: 1, minSpotOfferings: 1 },
  ];
  const loaded = await loadWorkflows(o.workflows, pools[1], prices);
  const workflows = loaded.map((l) => l.workflow);
  const arrivals = o.arrivals
    ? await fileArrivals(o.arrivals, seed, loaded, startSec, days)
    : generatedArrivals(seed, workflows, series[0], demandSignals[0].metricPerUnit, startSec, days, o.batchUnits ?? 16);
  const input: ScenarioInput = {
    name: `traces (${read.length} series, ${workflows.length} workflows, seed ${seed})`,
    seed, startSec, days, pools, prices, series, demandSignals, workflows, arrivals,
    // prescale's prefetch keeps its prepared states in an ElastiCache group it sizes and pays for
    caches: [DEFAULT_PREFETCH_CACHE],
    sources: [...o.metrics, ...o.workflows, ...(o.arrivals ? [o.arrivals] : []), ...(o.pricesDir ? [o.pricesDir] : ['core/market embedded price table'])],
  };
  return parseScenario(input);
}

async function loadWorkflows(paths: readonly string[], batch: unknown, prices: readonly InstanceTypePrice[]): Promise<Array<{ workflow: Workflow; app: string }>> {
  const traces = await readWorkflowTraces(paths, { defaultPool: 'batch' });
  const offerings = buildOfferings(Ec2PoolSchema.parse(batch), prices);
  const maxVcpu = Math.max(...offerings.map((x) => x.vcpu));
  const memFor = (v: number): number => Math.max(...offerings.filter((x) => x.vcpu >= v).map((x) => x.memoryGiB));
  return traces.map((t) => {
    const v = t.workflow.variants[0];
    const tasks = v.tasks.map((task) => {
      const vcpu = Math.min(task.resource_requirements.vcpu, maxVcpu);
      const memoryGiB = Math.min(task.resource_requirements.memoryGiB, memFor(vcpu));
      const setupShare = task.critical ? 0 : 0.2;
      return { ...task, resource_requirements: { ...task.resource_requirements, vcpu, memoryGiB }, setupShare, ...(task.critical ? {} : { prepare: task.prepare ?? `${task.executable_code_location}#prepare` }) };
    });
    return { workflow: WorkflowSchema.parse({ ...t.workflow, name: t.id, variants: [{ ...v, tasks }] }), app: t.workflowName };
  });
}

function generatedArrivals(seed: number, workflows: readonly Workflow[], shape: Scenario['series'][number], metricPerUnit: number, startSec: number, days: number, batchUnits: number): ChainArrival[] {
  const rng = createRandom(seed).fork('trace-arrivals');
  const work = workflows.map((w) => w.variants[0].tasks.reduce((s, t) => s + t.resource_requirements.vcpu * (t.runtime?.meanSec ?? 60), 0));
  const meanWork = work.reduce((a, b) => a + b, 0) / work.length;
  const ratePerSec = (batchUnits / Math.max(1, meanWork)) * 2; // thinning keeps about half on average
  const peak = Math.max(1e-9, p95(shape.values) / metricPerUnit);
  const out: ChainArrival[] = [];
  let t = startSec;
  let n = 0;
  for (;;) {
    t += drawExponential(rng, ratePerSec);
    if (t >= startSec + days * DAY) break;
    const level = Math.min(1, seriesValueAt(shape, t) / metricPerUnit / peak);
    if (rng.next() > level) continue;
    const wf = workflows[Math.floor(rng.next() * workflows.length)];
    out.push({ atSec: Math.round(t), chainId: `t${String(++n).padStart(6, '0')}`, workflow: wf.name });
  }
  return out;
}

/**
 * Arrivals from a file (rows or counts per period). Workflow names may be trace ids or application
 * names (then a trace of that application is picked, seeded). Times are shifted by whole days so the
 * first arrival falls on the run's first day when the file's times lie outside the run.
 */
async function fileArrivals(file: string, seed: number, loaded: ReadonlyArray<{ workflow: Workflow; app: string }>, startSec: number, days: number): Promise<ChainArrival[]> {
  const names = [...new Set([...loaded.map((l) => l.workflow.name), ...loaded.map((l) => l.app)])].sort();
  const read = await readArrivalsFile(file, { knownWorkflows: names });
  const rng = createRandom(seed).fork('file-arrivals');
  const raw: TraceArrival[] = read.kind === 'chains' ? [...read.arrivals] : arrivalsFromCounts(read.series, loaded[0].app);
  if (raw.length === 0) return [];
  const endSec = startSec + days * DAY;
  const inside = raw.some((a) => a.atSec >= startSec && a.atSec < endSec);
  const shift = inside ? 0 : raw[0].atSec < startSec ? Math.ceil((startSec - raw[0].atSec) / DAY) * DAY : -Math.floor((raw[0].atSec - startSec) / DAY) * DAY;
  const out: ChainArrival[] = [];
  raw.forEach((a, i) => {
    const t = Math.round(a.atSec + shift);
    if (t < startSec || t >= endSec) return;
    const direct = loaded.find((l) => l.workflow.name === a.workflow);
    const ofApp = loaded.filter((l) => l.app === a.workflow);
    const wf = direct ?? ofApp[Math.floor(rng.next() * ofApp.length)];
    out.push({ atSec: t, chainId: `a${String(i + 1).padStart(6, '0')}`, workflow: wf.workflow.name, ...(a.principal ? { principal: a.principal } : {}) });
  });
  return out;
}
