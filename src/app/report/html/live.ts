/**
 * A live deployment's report directory (`prescale export-report`): reads the chain service's
 * executions, chains and the controller's decision log through the {@link StateStore} port and turns
 * them into the same files a backtest writes (report.json, timeline.csv with per-market cost columns,
 * events.csv, attribution.csv), for one policy: the deployment itself.
 *
 * What a live store knows is less than a simulation: capacity is seen only through the steps that
 * ran on it, so `ready_units` is the vCPU of running steps (capacity that was busy, a lower bound on
 * what was held), idle capacity and unmet metric demand are unknown (written as 0 and said so in the
 * assumptions), and cost is the chain service's per-step cost (`StepRecord.costUsd`).
 */
import type { Decision, Workflow } from '../../../core/model/index.js';
import type { StateStore } from '../../../ports/state-store.js';
import { TABLES, chainKey, type ChainRecord, type ExecutionRecord } from '../../chains/records.js';
import { DECISION_LOG } from '../../tick/state.js';
import { buildReport } from '../build.js';
import type { PolicyRawResult } from '../raw.js';
import type { BacktestReport } from '../types.js';
import { attributionRows, type AttributionRow, type EventRow } from './extras.js';
import type { HtmlTimelineRow } from './inputs.js';
import type { AbTestConfig } from '../../../core/model/learning-config.js';
import { liveAbTest } from './live-ab.js';
import { liveLearningOf, type LiveLearning } from './live-learning.js';
import { readSavedTickMemory } from '../../tick/state.js';

/** What the store holds for the window. */
export interface LiveState {
  readonly chains: readonly ChainRecord[];
  readonly executions: readonly ExecutionRecord[];
  readonly decisions: readonly Decision[];
  /** The learning loop as of the last saved tick memory (live-learning.ts); absent when none was saved. */
  readonly learning?: LiveLearning;
  /** Why the saved tick memory could not be read, when it could not (the report says so). */
  readonly learningError?: string;
}

/** Window and labels of an export. */
export interface LiveExportOptions {
  /** Epoch seconds, inclusive. */
  readonly fromSec: number;
  /** Epoch seconds, exclusive. */
  readonly toSec: number;
  /** Timeline step, seconds. @default 300 */
  readonly bucketSec?: number;
  /** Policy name written in the files. @default "prescale" */
  readonly policy?: string;
  /** Where the data came from (e.g. the database path), recorded in report.json's sources. */
  readonly source: string;
  /** The controller config's `prefetch.abTest`: adds the A/B section (live-ab.ts). @default none */
  readonly abTest?: AbTestConfig;
}

/** The exported directory's content. */
export interface LiveExport {
  readonly report: BacktestReport;
  readonly timeline: HtmlTimelineRow[];
  readonly events: EventRow[];
  readonly attribution: AttributionRow[];
}

/**
 * Reads executions created in `[fromSec, toSec)`, their chains, the decision log of that window, and
 * the learning loop from the last saved tick memory (a memory that cannot be read only leaves it out,
 * with the reason in `learningError`).
 */
export async function readLiveState(store: StateStore, fromSec: number, toSec: number): Promise<LiveState> {
  const executions = (await store.list<ExecutionRecord>(TABLES.executions)).map((x) => x.value).filter((e) => e.createdAtSec >= fromSec && e.createdAtSec < toSec);
  const chains: ChainRecord[] = [];
  for (const id of [...new Set(executions.map((e) => chainKey(e.principalId, e.chainId)))].sort()) {
    const got = await store.get<ChainRecord>(TABLES.chains, id);
    if (got) chains.push(got.value);
  }
  const decisions = [
    ...(await store.readLog<Decision>(DECISION_LOG, { fromSec, toSec })),
    ...(DECISION_LOG === TABLES.decisions ? [] : await store.readLog<Decision>(TABLES.decisions, { fromSec, toSec })),
  ];
  let learning: LiveLearning | undefined;
  let learningError: string | undefined;
  try {
    const saved = await readSavedTickMemory(store);
    if (saved) learning = liveLearningOf(saved.text, saved.throughSec, fromSec, toSec);
  } catch (e) {
    learningError = e instanceof Error ? e.message : String(e);
  }
  return { chains, executions, decisions, ...(learning ? { learning } : {}), ...(learningError !== undefined ? { learningError } : {}) };
}

function vcpuOf(workflow: Workflow | undefined, variant: string, taskId: string): number {
  const v = workflow?.variants.find((x) => x.name === variant) ?? workflow?.variants[0];
  const t = v?.tasks.find((x) => x.task_id === taskId) ?? workflow?.variants.flatMap((x) => x.tasks).find((x) => x.task_id === taskId);
  return t?.resource_requirements.vcpu ?? 1;
}

function depsOf(workflow: Workflow | undefined, variant: string, taskId: string): readonly string[] {
  const v = workflow?.variants.find((x) => x.name === variant);
  return v?.tasks.find((x) => x.task_id === taskId)?.dependencies ?? [];
}

/** What the report says of the learning loop's figures (none when the store has no saved tick memory). */
function learningAssumptions(state: LiveState): string[] {
  if (state.learningError !== undefined) return [`The controller's saved tick memory could not be read (${state.learningError}): no calibration or bundle figures.`];
  if (!state.learning) return [];
  const asOf = state.learning.asOfSec !== null ? ` saved after the tick of ${new Date(state.learning.asOfSec * 1000).toISOString()}` : '';
  return [`Next-step hit counts, calibration (reliability curve per decile, Brier score) and bundle figures come from the controller's saved tick memory${asOf}: cumulative since its next-step model started, not cut to the window (the Brier score per hour is). Bundle figures count the commanded preparations only (bundle members against single steps).`];
}

/** Builds the export from what the store held (pure; sorted, so the same state gives the same files). */
export function buildLiveExport(state: LiveState, opts: LiveExportOptions): LiveExport {
  const bucketSec = opts.bucketSec ?? 300;
  const policy = opts.policy ?? 'prescale';
  const { fromSec, toSec } = opts;
  const start = Math.floor(fromSec / bucketSec) * bucketSec;
  const n = Math.max(1, Math.ceil((toSec - start) / bucketSec));
  const chainsById = new Map(state.chains.map((c) => [chainKey(c.principalId, c.chainId), c]));
  const execs = [...state.executions].sort((a, b) => a.createdAtSec - b.createdAtSec || (a.executionId < b.executionId ? -1 : 1));
  const pools = new Set<string>();
  for (const e of execs) for (const s of Object.values(e.steps)) if (s.poolId) pools.add(s.poolId);
  const poolList = [...pools].sort();
  type Acc = { units: Float64Array; spot: Float64Array; od: Float64Array; spotUsd: Float64Array; odUsd: Float64Array };
  const acc = new Map<string, Acc>(poolList.map((p) => [p, { units: new Float64Array(n), spot: new Float64Array(n), od: new Float64Array(n), spotUsd: new Float64Array(n), odUsd: new Float64Array(n) }]));
  const waits: number[] = [];
  const makespans: number[] = [];
  let spotUsd = 0;
  let odUsd = 0;
  let requeued = 0;
  let tasks = 0;
  let tasksDone = 0;
  const events: EventRow[] = [];
  const choices: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  let switches = 0;
  for (const e of execs) {
    const wf = chainsById.get(chainKey(e.principalId, e.chainId))?.workflow;
    choices[`${wf?.name ?? e.chainId}/${e.variant}`] = (choices[`${wf?.name ?? e.chainId}/${e.variant}`] ?? 0) + 1;
    for (const sw of e.switches) {
      switches++;
      reasons[sw.reason] = (reasons[sw.reason] ?? 0) + 1;
      events.push({ timestamp: sw.atSec, policy, pool: '', kind: 'variant-switch', detail: `${wf?.name ?? e.chainId}: ${sw.from} -> ${sw.to} (${sw.reason})` });
      if (sw.reason === 'spot-interruption') events.push({ timestamp: sw.atSec, policy, pool: '', kind: 'spot-interruption', detail: `chain ${e.chainId}` });
    }
    let last = e.createdAtSec;
    for (const s of Object.values(e.steps).sort((a, b) => (a.taskId < b.taskId ? -1 : 1))) {
      tasks++;
      requeued += Math.max(0, s.attempts - 1);
      if (s.status === 'succeeded') tasksDone++;
      const spot = s.market === 'spot';
      if (spot) spotUsd += s.costUsd; else odUsd += s.costUsd;
      if (s.startedAtSec === undefined) continue;
      const readyAt = Math.max(e.createdAtSec, ...depsOf(wf, e.variant, s.taskId).map((d) => e.steps[d]?.finishedAtSec ?? e.createdAtSec));
      waits.push(Math.max(0, s.startedAtSec - readyAt));
      const end = Math.min(s.finishedAtSec ?? toSec, toSec);
      last = Math.max(last, s.finishedAtSec ?? last);
      const a = acc.get(s.poolId);
      if (!a || end <= s.startedAtSec) continue;
      const vcpu = vcpuOf(wf, e.variant, s.taskId);
      const dur = end - s.startedAtSec;
      for (let b = Math.max(0, Math.floor((s.startedAtSec - start) / bucketSec)); b < n && start + b * bucketSec < end; b++) {
        const lo = Math.max(s.startedAtSec, start + b * bucketSec);
        const hi = Math.min(end, start + (b + 1) * bucketSec);
        if (hi <= lo) continue;
        const share = (hi - lo) / bucketSec;
        a.units[b] += vcpu * share;
        (spot ? a.spot : a.od)[b] += vcpu * share;
        (spot ? a.spotUsd : a.odUsd)[b] += (s.costUsd * (hi - lo)) / dur;
      }
    }
    if (e.status === 'succeeded') makespans.push(last - e.createdAtSec);
  }
  const timeline: HtmlTimelineRow[] = [];
  for (let b = 0; b < n; b++) {
    for (const p of poolList) {
      const a = acc.get(p)!;
      timeline.push({
        timestamp: start + (b + 1) * bucketSec, policy, pool: p, demand_units: a.units[b], ready_units: a.units[b], pending_units: 0,
        spot_units: a.spot[b], ondemand_units: a.od[b], cost_usd: a.spotUsd[b] + a.odUsd[b], spot_cost_usd: a.spotUsd[b], ondemand_cost_usd: a.odUsd[b],
      });
    }
  }
  const decisionCounts: Record<string, number> = {};
  for (const d of state.decisions) decisionCounts[d.kind] = (decisionCounts[d.kind] ?? 0) + 1;
  const raw: PolicyRawResult = {
    policy, spotUsd, onDemandUsd: odUsd, cacheUsd: 0, waitSec: waits, makespanSec: makespans, unmetDemandUnitSec: 0, idleUnitSec: 0,
    spotInterruptions: events.filter((x) => x.kind === 'spot-interruption').length, tasksRequeued: requeued, tasksSubmitted: tasks, tasksCompleted: tasksDone,
    chainsSubmitted: execs.length, chainsCompleted: execs.filter((e) => e.status === 'succeeded').length, launches: 0, terminations: 0,
    forecastError: null, nextStep: state.learning?.nextStep ?? null, prefetch: null, variants: execs.length ? { choices, switches, switchReasons: reasons } : null, decisionCounts, endSec: start + n * bucketSec,
    ...(opts.abTest ? { abTest: liveAbTest(opts.abTest, execs, (e) => chainsById.get(chainKey(e.principalId, e.chainId))?.workflow, state.decisions) } : {}),
    ...(state.learning?.bundles ? { bundles: state.learning.bundles } : {}),
  };
  const workflows = [...new Set(state.chains.map((c) => c.workflow.name))].sort();
  const report = buildReport({
    name: `live export ${new Date(fromSec * 1000).toISOString()} – ${new Date(toSec * 1000).toISOString()}`, seed: 0, startSec: start, endSec: start + n * bucketSec,
    days: Math.round(((toSec - fromSec) / 86_400) * 1000) / 1000, tickSec: bucketSec, pools: poolList, series: [], workflows, sources: [opts.source],
  }, [raw], [
    'Exported from a live deployment\'s state store: cost is the chain service\'s per-step cost (StepRecord.costUsd), billed to the step\'s market.',
    `Capacity is seen only through the steps that ran on it: ready_units is the vCPU of running steps per ${bucketSec} s bucket (busy capacity, a lower bound on capacity held); idle capacity, unmet metric demand, launches and lead times are not recorded (0).`,
    'Spot interruptions are the variant switches whose reason was spot-interruption.',
    'Step wait is the time from the later of the execution\'s creation and its dependencies\' finish to the step\'s start.',
    ...learningAssumptions(state),
  ]);
  const attribution = attributionRows(policy, execs.map((e) => ({ principal: e.principalId, workflow: chainsById.get(chainKey(e.principalId, e.chainId))?.workflow.name ?? e.chainId, costUsd: e.costUsd })));
  return { report, timeline, events, attribution };
}
