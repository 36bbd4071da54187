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
import { AccuracyTracker, Markov1Model, MostFrequentSuccessorModel, VomModel, type AccuracyStats, type DistributionModel } from '../src/core/predict/index.js';
import { writeBenchSection } from './lib/write-section.js';

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
  ].join('\n');
  writeBenchSection('predict', 'Next-step prediction (variable-order Markov vs baselines)', md, 'npm run bench:predict');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
