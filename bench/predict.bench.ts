/**
 * Next-step prediction benchmark (issue 5). Chains are built from the WfCommons traces in
 * ../shared/data/workflows: each trace is replayed K times with seeded runtime jitter (log-normal,
 * σ = 0.25) and a dispatch delay (exponential, mean 2 s), start = latest parent end + dispatch delay,
 * and its steps are ordered by start time. Chains are spread over 30 days in a seeded random order;
 * the first 70 % (by start) train the models, the rest are tested with the models frozen: before each
 * step starts, the model is asked for its distribution given the steps started so far.
 * The context `lastFinished` (type of the chain's most recently finished step) is given to every
 * model; only the variable-order model uses it. Scores per model: top-1 and top-3 accuracy and the multi-class Brier score (all steps pooled,
 * and macro-averaged over workflows), and the median microseconds of one predict(top 3) call.
 *
 * Run: npm run bench:predict   (PREDICT_BENCH_REPLAYS=12 sets K)
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readWorkflowTraces } from '../src/adapters/files/wfformat-reader.js';
import type { WorkflowTrace } from '../src/core/signals/wfformat.js';
import type { ExecutionEvent } from '../src/core/model/index.js';
import { createRandom, drawExponential, drawNormal } from '../src/core/rng.js';
import { AccuracyTracker, FeedbackModel, Markov1Model, MostFrequentSuccessorModel, VomModel, selectPrefetch, type AccuracyStats, type DistributionModel, type ReliabilitySummary, type PrefetchSelectionConfigInput } from '../src/core/predict/index.js';
import { TaskDefinitionSchema, type TaskDefinition } from '../src/core/model/index.js';
import { writeBenchSection } from './lib/write-section.js';
import { ARRIVAL_DATA_DIR, arrivalErrorMarkdown, arrivalErrorRows } from './predict-arrivals.js';

const DATA = resolve(process.cwd(), '../shared/data/workflows');
const REPLAYS = Number(process.env.PREDICT_BENCH_REPLAYS ?? 12);
const TRAIN_SHARE = 0.7;
const SPAN_SEC = 30 * 86_400;
const T0 = Date.UTC(2026, 0, 5) / 1000;

interface Chain {
  readonly chainId: string;
  readonly workflow: string;
  readonly t0: number;
  readonly steps: Array<{ taskId: string; taskType: string; startSec: number; endSec: number }>;
}

function replay(trace: WorkflowTrace, k: number, seed: number): Omit<Chain, 't0'> {
  const rng = createRandom(seed).fork(`${trace.id}#${k}`);
  const end = new Map<string, number>();
  const steps: Chain['steps'] = [];
  // trace.executions are in start order, so parents come first.
  const byStart = [...trace.executions].sort((a, b) => a.startOffsetSec - b.startOffsetSec);
  for (const x of byStart) {
    const ready = Math.max(0, ...x.parents.map((p) => end.get(p) ?? 0));
    const start = ready + drawExponential(rng, 0.5);
    const runtime = x.runtimeSec * Math.exp(0.25 * drawNormal(rng));
    end.set(x.taskId, start + runtime);
    steps.push({ taskId: x.taskId, taskType: x.taskType, startSec: start, endSec: start + runtime });
  }
  steps.sort((a, b) => a.startSec - b.startSec || (a.taskId < b.taskId ? -1 : 1));
  return { chainId: `${trace.id}#${k}`, workflow: trace.workflowName, steps };
}

function buildChains(traces: readonly WorkflowTrace[]): Chain[] {
  const raw = traces.flatMap((t) => Array.from({ length: REPLAYS }, (_, k) => replay(t, k, 42)));
  const order = createRandom(7);
  const keyed = raw.map((c) => ({ c, r: order.next() })).sort((a, b) => a.r - b.r);
  return keyed.map(({ c }, i) => ({ ...c, t0: T0 + Math.floor((i * SPAN_SEC) / keyed.length) }));
}

function eventsOf(chains: readonly Chain[]): ExecutionEvent[] {
  const ev: ExecutionEvent[] = [];
  for (const c of chains) {
    for (const s of c.steps) {
      const base = { chainId: c.chainId, workflow: c.workflow, taskId: s.taskId, taskType: s.taskType };
      ev.push({ ...base, kind: 'started', atSec: c.t0 + s.startSec });
      ev.push({ ...base, kind: 'finished', atSec: c.t0 + s.endSec });
    }
  }
  return ev.sort((a, b) => a.atSec - b.atSec);
}

function evaluate(model: DistributionModel, test: readonly Chain[]): { acc: Record<string, AccuracyStats>; medianUs: number } {
  const acc = new AccuracyTracker();
  const times: number[] = [];
  for (const c of test) {
    for (let i = 0; i < c.steps.length; i++) {
      const startSec = c.steps[i].startSec;
      let lastFinished: Chain['steps'][number] | undefined;
      for (let j = 0; j < i; j++) if (c.steps[j].endSec <= startSec && (!lastFinished || c.steps[j].endSec >= lastFinished.endSec)) lastFinished = c.steps[j];
      const ctx = { chainId: c.chainId, workflow: c.workflow, history: c.steps.slice(0, i).map((s) => s.taskType), lastFinished: lastFinished?.taskType, nowSec: c.t0 + startSec };
      acc.score(c.workflow, model.distribution(ctx), c.steps[i].taskType);
      if (i % 7 === 0) {
        const t = performance.now();
        model.predict(ctx, 3);
        times.push((performance.now() - t) * 1000);
      }
    }
  }
  times.sort((a, b) => a - b);
  return { acc: acc.summary(), medianUs: times[Math.floor(times.length / 2)] ?? Number.NaN };
}

/** Reliability of the raw and the online-calibrated probabilities of one model over the test chains. */
interface CalibrationRun { readonly name: string; readonly raw: ReliabilitySummary; readonly calibrated: ReliabilitySummary }

/**
 * Prequential calibration over the test chains (model frozen, calibration map online): before each
 * step starts the model is asked for its distribution (`full`) or its top 3 (what the tick acts on);
 * each predicted task type is then scored against the step that started (came true or not) and the
 * isotonic map (core/predict/calibration.ts) learns from that outcome before the next step.
 */
function calibrationRun(name: string, model: DistributionModel, test: readonly Chain[], mode: 'full' | 'top3', raise: boolean): CalibrationRun {
  const raw = new FeedbackModel(model, { calibrate: false, bucketSec: 86_400 });
  const cal = new FeedbackModel(model, { calibrate: true, raise, bucketSec: 86_400 });
  for (const c of test) {
    for (let i = 0; i < c.steps.length; i++) {
      const startSec = c.steps[i].startSec;
      let lastFinished: Chain['steps'][number] | undefined;
      for (let j = 0; j < i; j++) if (c.steps[j].endSec <= startSec && (!lastFinished || c.steps[j].endSec >= lastFinished.endSec)) lastFinished = c.steps[j];
      const ctx = { chainId: c.chainId, workflow: c.workflow, history: c.steps.slice(0, i).map((s) => s.taskType), lastFinished: lastFinished?.taskType, nowSec: c.t0 + startSec };
      for (const m of [raw, cal]) {
        if (mode === 'full') m.distribution(ctx);
        else m.predict(ctx, 3);
        m.recordOutcome(c.chainId, c.steps[i].taskType, c.t0 + startSec);
      }
    }
  }
  return { name, raw: raw.summary().reliability, calibrated: cal.summary().reliability };
}

/** Setup share assumed for every task in the prefetch replay (WfFormat records none). */
const SETUP_SHARE = 0.2;

interface ReplayTotals { preparations: number; hits: number; early: number; expired: number; setupSecSaved: number; wastedCpuSec: number; wastedUsd: number; setupSecTotal: number }

/**
 * Replays the test chains through prediction → selectPrefetch with the model frozen. At every step
 * start the chain is "ticked": predictions for its next steps select preparations; a preparation
 * runs for the step's setup time (setupShare × its runtime) on 1 vCPU, then its state lives `ttlSec`.
 * A step starting inside that window skips its setup (hit); before it, the preparation is aborted
 * (wasted the time spent); after it, or never, the whole setup is wasted.
 */
function prefetchReplay(model: DistributionModel, test: readonly Chain[], meanRuntime: ReadonlyMap<string, number>, cfg: PrefetchSelectionConfigInput): ReplayTotals {
  const t: ReplayTotals = { preparations: 0, hits: 0, early: 0, expired: 0, setupSecSaved: 0, wastedCpuSec: 0, wastedUsd: 0, setupSecTotal: 0 };
  const usdPerCpuSec = 0.024 / 3600;
  const ttlSec = 'ttlSec' in cfg && cfg.ttlSec ? cfg.ttlSec : 900;
  for (const c of test) {
    const defs = new Map<string, TaskDefinition>();
    for (const s of c.steps) {
      defs.set(s.taskId, TaskDefinitionSchema.parse({ task_id: s.taskId, task_type: s.taskType, executable_code_location: `wfcommons:${s.taskType}`, prepare: 'module:prepare', resource_requirements: { vcpu: 1, memoryGiB: 2 }, setupShare: SETUP_SHARE, runtime: { meanSec: meanRuntime.get(s.taskType) ?? 60, p50Sec: 0, p95Sec: 0 } }));
      t.setupSecTotal += SETUP_SHARE * (s.endSec - s.startSec);
    }
    const prepared = new Map<string, { atSec: number; readySec: number }>();
    c.steps.forEach((step, i) => {
      const now = step.startSec;
      const p = prepared.get(step.taskId);
      const setup = SETUP_SHARE * (step.endSec - step.startSec);
      if (p) {
        prepared.delete(step.taskId);
        if (now >= p.readySec && now <= p.readySec + ttlSec) {
          t.hits++;
          t.setupSecSaved += setup;
        } else if (now < p.readySec) {
          t.early++;
          t.wastedCpuSec += now - p.atSec;
        } else {
          t.expired++;
          t.wastedCpuSec += setup;
        }
      }
      let lastFinished: Chain['steps'][number] | undefined;
      for (let j = 0; j < i; j++) if (c.steps[j].endSec <= now && (!lastFinished || c.steps[j].endSec >= lastFinished.endSec)) lastFinished = c.steps[j];
      const ctx = { chainId: c.chainId, workflow: c.workflow, history: c.steps.slice(0, i + 1).map((s) => s.taskType), running: { taskType: step.taskType, startedAtSec: c.t0 + now }, lastFinished: lastFinished?.taskType, nowSec: c.t0 + now };
      const pending = c.steps.slice(i + 1).filter((s) => !prepared.has(s.taskId)).map((s) => ({ task: defs.get(s.taskId)!, poolId: 'batch' }));
      const sel = selectPrefetch([{ chainId: c.chainId, workflow: c.workflow, predictions: model.predict(ctx, 5), pendingSteps: pending }], cfg, c.t0 + now);
      for (const cmd of sel.commands) {
        const target = c.steps.find((s) => s.taskId === cmd.taskId)!;
        prepared.set(cmd.taskId, { atSec: now, readySec: now + SETUP_SHARE * (target.endSec - target.startSec) });
        t.preparations++;
      }
    });
    // Every step of a replayed chain starts, so no preparation is left unused at the end.
  }
  t.wastedUsd = t.wastedCpuSec * usdPerCpuSec;
  return t;
}

function macro(acc: Record<string, AccuracyStats>, key: 'top1' | 'top3' | 'brier'): number {
  const ws = Object.keys(acc).filter((w) => w !== '*');
  return ws.reduce((s, w) => s + acc[w][key], 0) / ws.length;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const traces = await readWorkflowTraces([DATA]);
  const chains = buildChains(traces).sort((a, b) => a.t0 - b.t0);
  const cut = Math.floor(chains.length * TRAIN_SHARE);
  const train = chains.slice(0, cut);
  const test = chains.slice(cut);
  const trainEvents = eventsOf(train);
  const testSteps = test.reduce((s, c) => s + c.steps.length, 0);
  log(`predict bench: ${traces.length} traces × ${REPLAYS} replays = ${chains.length} chains; train ${train.length} (${trainEvents.length / 2} steps), test ${test.length} (${testSteps} steps)`);

  const models: Array<[string, () => DistributionModel]> = [
    ['variable-order Markov (vom, default: order ≤ 3, PPM-C, decay 30 d, contexts)', () => new VomModel()],
    ['vom, sequence only (no contexts)', () => new VomModel({ contexts: [] })],
    ['vom, order ≤ 2', () => new VomModel({ maxOrder: 2 })],
    ['vom, order ≤ 5', () => new VomModel({ maxOrder: 5 })],
    ['first-order Markov (markov1)', () => new Markov1Model()],
    ['most-frequent successor', () => new MostFrequentSuccessorModel()],
  ];
  const rows: Array<{ name: string; acc: Record<string, AccuracyStats>; medianUs: number; trainSec: number }> = [];
  for (const [name, make] of models) {
    const t = performance.now();
    const m = make();
    m.observe(trainEvents);
    const trainSec = (performance.now() - t) / 1000;
    const r = evaluate(m, test);
    rows.push({ name, ...r, trainSec });
    log(`  ${name}: top-1 ${pct(r.acc['*'].top1)}, top-3 ${pct(r.acc['*'].top3)}, Brier ${r.acc['*'].brier.toFixed(3)}, train ${trainSec.toFixed(1)} s, predict median ${r.medianUs.toFixed(1)} µs`);
  }

  const [vom] = rows;
  const m1 = rows.find((r) => r.name.startsWith('first-order'))!;
  const mfs = rows.find((r) => r.name.startsWith('most-frequent'))!;
  const table = [
    '| model | top-1 | top-3 | Brier | top-1 (macro over workflows) | Brier (macro) | train s | predict µs (median) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${pct(r.acc['*'].top1)} | ${pct(r.acc['*'].top3)} | ${r.acc['*'].brier.toFixed(3)} | ${pct(macro(r.acc, 'top1'))} | ${macro(r.acc, 'brier').toFixed(3)} | ${r.trainSec.toFixed(1)} | ${r.medianUs.toFixed(1)} |`),
  ];
  const workflows = Object.keys(vom.acc).filter((w) => w !== '*');
  const perWf = [
    '| workflow | test steps | vom top-1 | markov1 top-1 | most-frequent top-1 | vom Brier | markov1 Brier |',
    '|---|---|---|---|---|---|---|',
    ...workflows.map((w) => `| ${w} | ${vom.acc[w].predictions} | ${pct(vom.acc[w].top1)} | ${pct(m1.acc[w].top1)} | ${pct(mfs.acc[w].top1)} | ${vom.acc[w].brier.toFixed(3)} | ${m1.acc[w].brier.toFixed(3)} |`),
  ];
  const d1 = 100 * (vom.acc['*'].top1 - m1.acc['*'].top1);
  const d2 = 100 * (vom.acc['*'].top1 - mfs.acc['*'].top1);
  const verdict = `The variable-order model's top-1 accuracy is ${d1 >= 0 ? '+' : ''}${d1.toFixed(1)} points against first-order Markov and ${d2 >= 0 ? '+' : ''}${d2.toFixed(1)} points against the most-frequent-successor baseline (all test steps pooled); its Brier score is ${vom.acc['*'].brier.toFixed(3)} against ${m1.acc['*'].brier.toFixed(3)} and ${mfs.acc['*'].brier.toFixed(3)}.`;
  log(verdict);
  // calibration of the predicted probabilities (issue 22): raw vs online isotonic map
  const calModel = new VomModel();
  calModel.observe(trainEvents);
  const calRuns = [
    calibrationRun('vom, whole distribution, isotonic map (raises and lowers)', calModel, test, 'full', true),
    calibrationRun('vom, top 3 (what the tick acts on), isotonic map (raises and lowers)', calModel, test, 'top3', true),
    calibrationRun('vom, top 3, lowering only (the tick\'s default: penalise overconfident levels)', calModel, test, 'top3', false),
  ];
  const f3 = (x: number) => x.toFixed(3);
  for (const r of calRuns) log(`  calibration ${r.name}: raw max decile error ${f3(r.raw.maxBinError)}, Brier ${f3(r.raw.brier)}; calibrated max decile error ${f3(r.calibrated.maxBinError)}, Brier ${f3(r.calibrated.brier)} (${r.raw.n} scored)`);
  const decileTable = (r: CalibrationRun): string[] => [
    '| decile | predictions | raw: mean p / observed / error | calibrated: predictions | calibrated: mean p / observed / error |',
    '|---|---:|---|---:|---|',
    ...r.raw.bins.map((b, i) => {
      const c = r.calibrated.bins[i];
      return `| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.n} | ${f3(b.meanPredicted)} / ${f3(b.observed)} / ${b.n >= r.raw.minBinCount ? f3(b.absError) : `(${f3(b.absError)})`} | ${c.n} | ${f3(c.meanPredicted)} / ${f3(c.observed)} / ${c.n >= r.calibrated.minBinCount ? f3(c.absError) : `(${f3(c.absError)})`} |`;
    }),
  ];
  const overTime = (r: CalibrationRun): string => r.calibrated.overTime.map((b, i) => `day ${i + 1}: ${f3(r.raw.overTime[i]?.brier ?? Number.NaN)} → ${f3(b.brier)}`).join('; ');
  const calMd = calRuns.flatMap((r) => [
    `**${r.name}**: ${r.raw.n} (probability, outcome) pairs; raw: max decile error ${f3(r.raw.maxBinError)}, ECE ${f3(r.raw.ece)}, Brier ${f3(r.raw.brier)}; calibrated online: max decile error ${f3(r.calibrated.maxBinError)}, ECE ${f3(r.calibrated.ece)}, Brier ${f3(r.calibrated.brier)}; goal (issue 22) every decile with ≥ ${r.raw.minBinCount} predictions under 0.05: raw ${r.raw.maxBinError < 0.05 ? 'met' : '**not met**'}, calibrated ${r.calibrated.maxBinError < 0.05 ? 'met' : '**not met**'}.`,
    '',
    ...decileTable(r),
    '',
    `Brier per test day (raw → calibrated): ${overTime(r)}.`,
    '',
  ]);
  const meanRuntime = new Map<string, number>();
  {
    const sums = new Map<string, [number, number]>();
    for (const c of train) for (const st of c.steps) {
      const x = sums.get(st.taskType) ?? [0, 0];
      sums.set(st.taskType, [x[0] + st.endSec - st.startSec, x[1] + 1]);
    }
    for (const [k, [sum, n]] of sums) meanRuntime.set(k, sum / n);
  }
  const vomModel = new VomModel();
  vomModel.observe(trainEvents);
  const arms: Array<[string, PrefetchSelectionConfigInput]> = [
    ['conservative: p ≥ 0.6, top-1', { probabilityThreshold: 0.6, topN: 1, maxConcurrent: 4, ttlSec: 900 }],
    ['default: p ≥ 0.3, top-2', { probabilityThreshold: 0.3, topN: 2, maxConcurrent: 8, ttlSec: 900 }],
    ['eager: p ≥ 0.1, top-3', { probabilityThreshold: 0.1, topN: 3, maxConcurrent: 8, ttlSec: 900 }],
  ];
  const replay = arms.map(([name, cfg]) => ({ name, t: prefetchReplay(vomModel, test, meanRuntime, cfg) }));
  for (const r of replay) log(`  prefetch ${r.name}: ${r.t.preparations} preparations, hit rate ${pct(r.t.hits / r.t.preparations)}, saved ${r.t.setupSecSaved.toFixed(0)} s setup, wasted ${r.t.wastedCpuSec.toFixed(0)} CPU-s`);
  const prefetchTable = [
    '| arm | preparations | hits | hit rate | aborted (step started first) | expired (TTL) | setup saved, s (share of all setup) | wasted CPU-s | wasted USD |',
    '|---|---|---|---|---|---|---|---|---|',
    ...replay.map(({ name, t }) => `| ${name} | ${t.preparations} | ${t.hits} | ${pct(t.hits / Math.max(1, t.preparations))} | ${t.early} | ${t.expired} | ${t.setupSecSaved.toFixed(0)} (${pct(t.setupSecSaved / t.setupSecTotal)}) | ${t.wastedCpuSec.toFixed(0)} | ${t.wastedUsd.toFixed(4)} |`),
  ];
  const md = [
    `${traces.length} WfCommons traces (15 applications) replayed ${REPLAYS} times each with seeded runtime jitter (log-normal σ 0.25) and dispatch delays (exponential, mean 2 s); steps ordered by start time. ${chains.length} chains spread over 30 days; the first ${pct(TRAIN_SHARE)} train (${trainEvents.length / 2} steps), the remaining ${test.length} chains (${testSteps} steps) test with the models frozen. Brier is the multi-class score (0 perfect, 2 worst).`,
    '',
    verdict,
    '',
    ...table,
    '',
    'Per workflow (default vom vs baselines):',
    '',
    ...perWf,
    '',
    `Prefetch replay of the test chains (default vom, frozen; \`selectPrefetch\` at every step start; every task given setupShare ${SETUP_SHARE}, 1 vCPU, TTL 900 s; a step starting after its preparation is ready and within the TTL skips its setup; wasted = CPU-seconds of preparations aborted, expired or never used, priced at 0.024 USD per vCPU-hour):`,
    '',
    ...prefetchTable,
    '',
    'Calibration of the predicted probabilities (issue 22; prequential over the test chains, model frozen, `FeedbackModel` in core/predict/feedback.ts: every predicted task type is scored against the step that started next, and the online isotonic map of core/predict/calibration.ts learns from each outcome before the next prediction; errors in parentheses are deciles with fewer than 30 predictions, which the goal does not count):',
    '',
    ...calMd,
  ].join('\n');
  writeBenchSection('predict', 'Next-step prediction (variable-order Markov vs baselines)', md, 'npm run bench:predict');
  await writeArrivalSection();
}

/** issue 19 item 6: the behaviour model's arrival forecast error per workflow (bench/predict-arrivals.ts). */
export async function writeArrivalSection(): Promise<void> {
  const rows = await arrivalErrorRows(ARRIVAL_DATA_DIR);
  if (rows.length === 0) { process.stderr.write('bench:predict: no suite data for the arrival forecast section, left alone\n'); return; }
  writeBenchSection('predict-arrivals', 'Arrival forecast per workflow (behaviour model, issue 19 item 6)', arrivalErrorMarkdown(rows), 'npm run bench:predict');
}

(process.env.BENCH_PREDICT_ONLY === 'arrivals' ? writeArrivalSection() : main()).catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
