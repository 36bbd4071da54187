/**
 * A scenario from real traces: metric files (CSV or `aws cloudwatch get-metric-data` JSON) drive a
 * `web` pool, WfFormat workflow executions run as chains on a spot-friendly `batch` pool.
 *
 * Mapping (modelling choices, each recorded in the scenario's `settings` or `inputNotes`, which the
 * report prints):
 * - Each metric series gets `metricPerUnit` = its 95th percentile / `unitsPerSeries` (default 8), so
 *   every series needs about 8 vCPU at its p95, unless the user says how the metric maps to capacity
 *   (`--metric-per-vcpu`, a `--fleet` file or an imported target-tracking policy: fleet.ts, applied
 *   afterwards); the pool's demand is the sum over series.
 * - Series are aligned on a common timeline: the last `historyDays + days` days of each are shifted so
 *   the run starts at the first series' own time `historyDays` days before its end; every series
 *   whose own dates differ is named in the notes with its shift.
 * - Without `--arrivals`, chains arrive as a Poisson process whose rate follows the first series'
 *   shape, scaled so the batch pool averages `batchUnits` (default 16) vCPU of tasks; workflows are
 *   picked uniformly among the traces. An Azure Functions `*_invocations.csv` as `--arrivals` gives
 *   that shape instead (its one day repeated over the run; its counts are far too many to be chains).
 * - Task resources are clamped to the largest batch offering; every non-critical task gets a setup
 *   share of 0.2 and a `prepare` phase (WfFormat records no setup split).
 * - Prepared states live in the default scenario's prefetch state cache (`DEFAULT_PREFETCH_CACHE`: one
 *   cache.t4g.small shard to start), which prescale sizes and pays for.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import type { z } from 'zod';
import { readAzureFunctionsInvocations } from '../../adapters/files/azure-functions.js';
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
  /**
   * Give every workflow a second variant, `on-demand`, on a `batch-od` pool (the batch pool's
   * requirements, on-demand only), so the composer can choose and a chain can switch variants when
   * its spot capacity gets an interruption notice. @default false
   */
  readonly onDemandVariant?: boolean;
  /** Multiplies every spot hazard (a stress run; the Advisor's hazard × this). @default 1 */
  readonly hazardMultiplier?: number;
}

const DAY = 86_400;

function p95(values: readonly number[]): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(0.95 * s.length))] : 0;
}

/** Builds the scenario. @throws InputError for bad files (from the readers) or too short series */
export async function tracesScenario(o: TracesOptions): Promise<Scenario> {
  if (o.metrics.length === 0) throw new InputError({ field: '--metrics' }, [], 'at least one metric file');
  if (o.workflows.length === 0 && o.arrivals !== undefined) throw new InputError({ field: '--arrivals' }, o.arrivals, 'arrivals together with --workflows (the chains they start)');
  const seed = o.seed ?? 42;
  const read = [];
  for (const f of o.metrics) {
    if (!existsSync(f)) throw new InputError({ field: '--metrics' }, f, 'an existing metric file (CSV or get-metric-data JSON) or a directory of them');
    for (const r of await readMetricSeriesFile(f)) read.push({ file: f, s: r.series });
  }
  if (read.length === 0) throw new InputError({ field: '--metrics' }, o.metrics.join(' '), 'files holding at least one metric series');
  const first = read[0].s;
  const notes: string[] = [];
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
    const shiftSec = end - (s.startSec + s.values.length * s.periodSec);
    if (Math.abs(shiftSec) >= 3600) { // the run starts on the hour: a shift under an hour is that rounding
      notes.push(`Series ${s.id} (${file}) was shifted by ${shiftWords(shiftSec)} onto the run's timeline: its own last ${((days + historyDays)).toFixed(0)} days end ${iso(end - shiftSec)}, the run's end ${iso(end)}.`);
    }
    return { id: s.id, startSec: end - values.length * s.periodSec, periodSec: s.periodSec, values: values.map((v) => (Number.isFinite(v) ? v : Number.NaN)) };
  });
  const unitsPerSeries = o.unitsPerSeries ?? 8;
  const demandSignals = series.map((s) => ({ seriesId: s.id, poolId: 'web', metricPerUnit: Math.max(1e-9, p95(s.values) / unitsPerSeries) }));
  const settings = demandSignals.map((d) => ({ name: `metric per vCPU (${d.seriesId})`, value: String(Number(d.metricPerUnit.toPrecision(6))), source: `default: the series' p95 / ${unitsPerSeries}, so its p95 needs ${unitsPerSeries} vCPU (set --metric-per-vcpu for your fleet's scale)` }));
  const catalog = o.pricesDir ? new FilePriceCatalog(o.pricesDir, '--prices') : undefined;
  const prices: InstanceTypePrice[] = catalog ? await catalog.instanceTypes('us-east-1') : DEFAULT_PRICE_TABLE.map((p) => ({ ...p }));
  if (catalog) {
    for (const m of catalog.missingFiles()) {
      notes.push(m.startsWith('ElastiCache')
        ? `--prices ${o.pricesDir} has no ${m}: the prefetch state cache is priced from the embedded us-east-1 table.`
        : `--prices ${o.pricesDir} has no ${m}: spot prices come from the on-demand file's estimates only and spot interruption hazards from the default bucket.`);
    }
    if (!catalog.missingFiles().some((m) => m.startsWith('ElastiCache'))) notes.push('The prefetch state cache is priced from the embedded us-east-1 ElastiCache table, not from the --prices directory.');
  }
  const pools: Array<z.input<typeof Ec2PoolSchema>> = [
    { kind: 'ec2' as const, id: 'web', instanceRequirements: { vcpuMin: 2, vcpuMax: 8, allowedFamilies: ['c6i', 'c7g', 'm6i', 'm6g'] }, availabilityZones: ['us-east-1a', 'us-east-1b'], onDemandFloorShare: 0.3, serviceLevel: 0.95, minUnits: 2, maxUnits: Math.max(64, unitsPerSeries * series.length * 4) },
    { kind: 'ec2' as const, id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 16, memoryGiBPerVcpuMin: 4, allowedFamilies: ['m5', 'm6i', 'm6a', 'm7i', 'r6g', 'm6g'] }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], serviceLevel: 0.9, minUnits: 0, maxUnits: 1024, maxSpotSharePerOffering: 1, minSpotOfferings: 1 },
  ];
  if (o.onDemandVariant) pools.push({ ...pools[1], id: 'batch-od', markets: ['on-demand'] });
  const loaded0 = o.workflows.length > 0 ? await loadWorkflows(o.workflows, pools[1], prices) : [];
  const loaded = o.onDemandVariant
    ? loaded0.map((l) => ({ ...l, workflow: WorkflowSchema.parse({ ...l.workflow, variants: [...l.workflow.variants, { ...l.workflow.variants[0], name: 'on-demand', defaultPool: 'batch-od', poolBindings: {} }] }) }))
    : loaded0;
  if (o.onDemandVariant) notes.push('Every workflow has a second variant, on-demand, on the on-demand-only pool batch-od: the composer picks a variant per chain and switches a chain whose spot instance gets an interruption notice.');
  if ((o.hazardMultiplier ?? 1) !== 1) notes.push(`Spot interruption hazards are the Spot Advisor's × ${o.hazardMultiplier} (a stress run).`);
  if (o.workflows.length === 0) notes.push('No --workflows: only the metric-driven web pool carries demand; the batch pool runs no chains.');
  const workflows = loaded.map((l) => l.workflow);
  const azure = o.arrivals !== undefined && isAzureInvocations(o.arrivals);
  const arrivals = o.arrivals && !azure
    ? await fileArrivals(o.arrivals, seed, loaded, startSec, days, notes)
    : azure
      ? generatedArrivals(seed, workflows, await azureShape(o.arrivals!, startSec, days, o.batchUnits ?? 16, notes), 1, startSec, days, o.batchUnits ?? 16)
      : generatedArrivals(seed, workflows, series[0], demandSignals[0].metricPerUnit, startSec, days, o.batchUnits ?? 16);
  const input: ScenarioInput = {
    name: `traces (${read.length} series, ${workflows.length} workflows, seed ${seed})`,
    seed, startSec, days, pools, prices, series, demandSignals, workflows, arrivals,
    ...(o.hazardMultiplier !== undefined ? { hazardMultiplier: o.hazardMultiplier } : {}),
    // prescale's prefetch keeps its prepared states in an ElastiCache group it sizes and pays for
    caches: [DEFAULT_PREFETCH_CACHE],
    settings, inputNotes: notes,
    sources: [...o.metrics, ...o.workflows, ...(o.arrivals ? [o.arrivals] : []), ...(o.pricesDir ? [o.pricesDir] : ['core/market embedded price table'])],
  };
  return parseScenario(input);
}

const iso = (sec: number): string => new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ');

function shiftWords(sec: number): string {
  const d = sec / DAY;
  return Math.abs(d) >= 1 ? `${d > 0 ? '+' : ''}${Number(d.toFixed(2))} days` : `${sec > 0 ? '+' : ''}${Math.round(sec / 60)} min`;
}

/** Whether `file` is an Azure Functions 2019 invocations CSV (its header starts HashOwner,HashApp,HashFunction,Trigger). */
function isAzureInvocations(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    closeSync(fd);
    return /^hashowner,hashapp,hashfunction,trigger/i.test(buf.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  }
}

/** The Azure trace's per-minute total invocations, its one day repeated from the run's first UTC midnight. */
async function azureShape(file: string, startSec: number, days: number, batchUnits: number, notes: string[]): Promise<Scenario['series'][number]> {
  const [r] = await readAzureFunctionsInvocations(file, { groupBy: 'total' });
  const day = r.series.values.map((v) => (Number.isFinite(v) ? v : 0));
  const from = Math.floor(startSec / DAY) * DAY;
  const reps = Math.ceil((startSec + days * DAY - from) / (day.length * r.series.periodSec)) + 1;
  const values: number[] = [];
  for (let k = 0; k < reps; k++) values.push(...day);
  const total = day.reduce((a, b) => a + b, 0);
  notes.push(`--arrivals ${file} is an Azure Functions trace (${day.length} minutes, ${Math.round(total).toLocaleString('en-US')} invocations): chains arrive at a rate following its per-minute invocations, its day repeated over the run from ${iso(from)}, scaled so the batch pool averages ${batchUnits} vCPU of tasks (an invocation is not a chain).`);
  return { id: r.series.id, startSec: from, periodSec: r.series.periodSec, values };
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
  if (workflows.length === 0) return [];
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
async function fileArrivals(file: string, seed: number, loaded: ReadonlyArray<{ workflow: Workflow; app: string }>, startSec: number, days: number, notes: string[]): Promise<ChainArrival[]> {
  const names = [...new Set([...loaded.map((l) => l.workflow.name), ...loaded.map((l) => l.app)])].sort();
  const read = await readArrivalsFile(file, { knownWorkflows: names });
  const rng = createRandom(seed).fork('file-arrivals');
  const raw: TraceArrival[] = read.kind === 'chains' ? [...read.arrivals] : arrivalsFromCounts(read.series, loaded[0].app);
  if (raw.length === 0) return [];
  const endSec = startSec + days * DAY;
  const inside = raw.some((a) => a.atSec >= startSec && a.atSec < endSec);
  const shift = inside ? 0 : raw[0].atSec < startSec ? Math.ceil((startSec - raw[0].atSec) / DAY) * DAY : -Math.floor((raw[0].atSec - startSec) / DAY) * DAY;
  if (shift !== 0) notes.push(`Arrivals in ${file} were shifted by ${shiftWords(shift)} so they fall on the run's days (first arrival ${iso(raw[0].atSec)} → ${iso(raw[0].atSec + shift)}).`);
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
