/**
 * The learning loop on the backtest suite (issue 22): every suite case (bench/suite/cases.ts) run
 * with the prescale policy alone, twice on identically seeded worlds: `single-step` (today's
 * selection: the top-2 raw next-step predictions per running chain) and `bundles+feedback` (frequent
 * subgraphs prepared with their predicted root, probabilities calibrated online on their outcomes).
 * Per case and over the suite: preparations, hits, setup seconds saved, wasted CPU-seconds, saved per
 * wasted CPU-second, p95 step wait and cost; and the calibration of the probabilities the tick used.
 *
 * Run: nice -n 10 npx tsx bench/predict-prefetch-suite.ts [--days N] [--cases id,id] [--arms a,b] [--write]
 *   (--write puts the table in docs/benchmarks.md, section `learning-suite`)
 *
 * `--ab`: instead, one run per case with an A/B test of prefetch configurations inside the prescale
 * tick (the controller config's `prefetch.abTest`; chains assigned to arms by the hash of their
 * principal, else their chain id): control = today's settings (top-2, p ≥ 0.3, 8 at once), `narrow`
 * (top-1, p ≥ 0.5), `wide` (top-3, p ≥ 0.2, 16 at once). Pools the arms' preparations over the suite
 * and prints the winner on hit rate with its confidence (two-proportion z-test), and the Welch t-test of
 * chain latency per case.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../src/sim/backtest.js';
import type { PolicyReport } from '../src/app/report/index.js';
import { SUITE_CASES, type SuiteCase } from './suite/cases.js';
import { caseScenario } from './suite/run-case.js';
import { writeBenchSection } from './lib/write-section.js';
import { twoProportionZTest } from '../src/core/predict/ab-stats.js';
import type { BundleConfigInput } from '../src/core/model/learning-config.js';

const DATA = path.resolve(process.cwd(), process.env.PRESCALE_DATA_DIR ?? '../shared/data');

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Arm { readonly name: string; readonly learning: { readonly bundles: boolean; readonly calibrate: boolean } }
const ALL_ARMS: readonly Arm[] = [
  { name: 'single-step', learning: { bundles: false, calibrate: false } },
  { name: 'bundles+feedback', learning: { bundles: true, calibrate: true } },
  { name: 'feedback', learning: { bundles: false, calibrate: true } },
  { name: 'bundles', learning: { bundles: true, calibrate: false } },
];
/** --arms a,b: the first is the baseline, the second the one measured against it (default single-step,bundles+feedback). */
const ARMS: readonly Arm[] = (argValue('--arms')?.split(',') ?? ['single-step', 'bundles+feedback']).map((n) => {
  const a = ALL_ARMS.find((x) => x.name === n);
  if (!a) throw new Error(`--arms: got ${n}, expected names from ${ALL_ARMS.map((x) => x.name).join(',')}`);
  return a;
});

/** BENCH_BUNDLES_JSON: bundle settings (`prefetch.bundles`, e.g. {"maxHoldSec":120}) of the arms with bundles, for tuning screens. */
const BUNDLES: BundleConfigInput | undefined = process.env.BENCH_BUNDLES_JSON ? (JSON.parse(process.env.BENCH_BUNDLES_JSON) as BundleConfigInput) : undefined;

interface Row { readonly id: string; readonly arm: string; readonly p: PolicyReport; readonly wallSec: number }

/** The case's scenario: bench/suite/run-case.ts's setup (one function for both suite benchmarks). */
const scenarioOf = (c: SuiteCase, days: number): ReturnType<typeof caseScenario> => caseScenario(c, DATA, days);

/** Setup seconds saved per wasted CPU-second (Infinity: something saved, nothing wasted; NaN: nothing prepared). */
const ratio = (p: PolicyReport): number => {
  if (!p.prefetch || p.prefetch.preparations === 0) return Number.NaN;
  if (p.prefetch.wastedCpuSec > 0) return p.prefetch.setupSecSaved / p.prefetch.wastedCpuSec;
  return p.prefetch.setupSecSaved > 0 ? Number.POSITIVE_INFINITY : Number.NaN;
};
const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const AB_ARMS = {
  arms: [
    { name: 'control', topN: 2, probabilityThreshold: 0.3, maxConcurrent: 8 },
    { name: 'narrow', topN: 1, probabilityThreshold: 0.5, maxConcurrent: 8 },
    { name: 'wide', topN: 3, probabilityThreshold: 0.2, maxConcurrent: 16 },
  ],
  control: 'control',
};

/** `--ab`: the A/B test over the suite. */
async function abSuite(cases: readonly SuiteCase[], days: number): Promise<void> {
  const pooled = new Map<string, { preps: number; hits: number; saved: number; wasted: number; chains: number }>();
  const lines: string[] = ['| case | arm | chains | preparations | hit rate | p (z) | saved s | wasted CPU-s | latency mean s | p (Welch) |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  let done = 0;
  for (const c of cases) {
    const sc = await scenarioOf(c, days);
    const { report } = await runBacktest(sc, { policies: ['prescale'], prescale: { abTest: AB_ARMS } });
    const ab = report.policies[0].abTest!;
    done++;
    process.stderr.write(`learning suite A/B [${done}/${cases.length}] ${c.id}: winner ${ab.winner.arm} (${ab.winner.reason})\n`);
    for (const a of ab.arms) {
      const p = pooled.get(a.name) ?? { preps: 0, hits: 0, saved: 0, wasted: 0, chains: 0 };
      pooled.set(a.name, { preps: p.preps + a.preparations, hits: p.hits + a.hits, saved: p.saved + a.setupSecSaved, wasted: p.wasted + a.wastedCpuSec, chains: p.chains + a.chains });
      lines.push(`| ${c.id} | ${a.name} | ${a.chains} | ${a.preparations} | ${(100 * a.hitRate).toFixed(1)} % | ${a.hitRatePValue ?? '-'} | ${a.setupSecSaved.toFixed(0)} | ${a.wastedCpuSec.toFixed(0)} | ${a.latencySec.mean.toFixed(0)} | ${a.latencyPValue ?? '-'} |`);
    }
  }
  const ctrl = pooled.get('control')!;
  const summary = [...pooled.entries()].map(([name, p]) => {
    const z = name === 'control' ? undefined : twoProportionZTest(p.hits, p.preps, ctrl.hits, ctrl.preps);
    return { name, ...p, rate: p.preps > 0 ? p.hits / p.preps : 0, pValue: z?.pValue ?? Number.NaN };
  });
  const better = summary.filter((s) => s.name !== 'control' && s.pValue < 0.05 && s.rate > ctrl.hits / Math.max(1, ctrl.preps)).sort((a, b) => b.rate - a.rate);
  const w = better[0];
  const verdict = w
    ? `A/B over ${cases.length} case(s) at ${days} day(s): winner **${w.name}**, hit rate ${(100 * w.rate).toFixed(1)} % vs control ${(100 * ctrl.hits / Math.max(1, ctrl.preps)).toFixed(1)} %, confidence ${(100 * (1 - w.pValue)).toFixed(2)} % (two-proportion z-test, p = ${w.pValue.toPrecision(3)}).`
    : `A/B over ${cases.length} case(s) at ${days} day(s): no arm beats the control on hit rate at p < 0.05; the control stays.`;
  const md = [verdict, '', ...summary.map((s) => `- ${s.name}: ${s.chains} chains, ${s.preps} preparations, hit rate ${(100 * s.rate).toFixed(1)} %${Number.isNaN(s.pValue) ? '' : ` (p = ${s.pValue.toPrecision(3)})`}, saved ${s.saved.toFixed(0)} s, wasted ${s.wasted.toFixed(0)} CPU-s`), '', ...lines].join('\n');
  process.stdout.write(`${md}\n`);
  if (process.argv.includes('--write')) writeBenchSection('learning-ab', 'A/B test of prefetch configurations over the suite (issue 22)', md, `nice -n 10 npx tsx bench/predict-prefetch-suite.ts --ab --days ${days}${argValue('--cases') ? ` --cases ${cases.map((c) => c.id).join(',')}` : ''} --write`);
}

async function main(): Promise<void> {
  const days = Number(argValue('--days') ?? 1);
  if (!(Number.isInteger(days) && days >= 1)) throw new Error(`--days: got ${argValue('--days')}, expected a whole number of days >= 1`);
  const ids = argValue('--cases')?.split(',').filter((x) => x.length > 0) ?? SUITE_CASES.map((c) => c.id);
  const cases = ids.map((id) => {
    const c = SUITE_CASES.find((x) => x.id === id);
    if (!c) throw new Error(`--cases: got ${id}, expected one of ${SUITE_CASES.map((x) => x.id).join(',')}`);
    return c;
  });
  if (process.argv.includes('--ab')) {
    await abSuite(cases, days);
    return;
  }
  const rows: Row[] = [];
  const t0 = performance.now();
  let done = 0;
  for (const c of cases) {
    const sc = await scenarioOf(c, days);
    for (const arm of ARMS) {
      const t = performance.now();
      const { report } = await runBacktest(sc, { policies: ['prescale'], prescale: { learning: arm.learning.bundles && BUNDLES ? { ...arm.learning, bundles: BUNDLES } : arm.learning } });
      const p = report.policies[0];
      rows.push({ id: c.id, arm: arm.name, p, wallSec: (performance.now() - t) / 1000 });
      done++;
      const el = (performance.now() - t0) / 1000;
      const pf = p.prefetch;
      process.stderr.write(`learning suite [${done}/${cases.length * ARMS.length} ${Math.round((100 * done) / (cases.length * ARMS.length))}%, ${el.toFixed(0)} s, ETA ${((el / done) * (cases.length * ARMS.length - done)).toFixed(0)} s] ${c.id} ${arm.name}: ${pf?.preparations} prep, ${pf?.hits} hits (${pf?.aborted ?? 0} aborted, ${pf?.expired ?? 0} expired, ${pf?.evicted ?? 0} evicted), saved ${pf?.setupSecSaved.toFixed(0)} s, wasted ${pf?.wastedCpuSec.toFixed(0)} CPU-s, ratio ${ratio(p).toFixed(2)}, p95 ${p.stepWait.p95Sec} s, ${p.cost.totalUsd.toFixed(2)} USD\n`);
    }
  }
  const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : x === Number.POSITIVE_INFINITY ? '∞ (nothing wasted)' : 'n/a');
  const lines = [
    '| case | arm | preparations | hits (rate) | setup saved s | wasted CPU-s | saved / wasted CPU-s | p95 wait s | cost USD | calibration: max decile error / Brier (raw → used) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const pf = r.p.prefetch!;
    const cal = r.p.nextStep?.calibration;
    lines.push(`| ${r.id} | ${r.arm} | ${pf.preparations} | ${pf.hits} (${(100 * pf.hits / Math.max(1, pf.preparations)).toFixed(1)} %) | ${pf.setupSecSaved.toFixed(0)} | ${pf.wastedCpuSec.toFixed(0)} | ${f2(ratio(r.p))} | ${r.p.stepWait.p95Sec} | ${r.p.cost.totalUsd.toFixed(2)} | ${cal ? `${cal.raw.maxDecileError.toFixed(3)} / ${cal.raw.brier.toFixed(3)} → ${cal.maxDecileError.toFixed(3)} / ${cal.brier.toFixed(3)}` : 'n/a'} |`);
  }
  const byArm = (name: string): Row[] => rows.filter((r) => r.arm === name);
  const sum = (rs: Row[], f: (p: PolicyReport) => number): number => rs.reduce((s, r) => s + f(r.p), 0);
  const summary = ARMS.map((a) => {
    const rs = byArm(a.name);
    const saved = sum(rs, (p) => p.prefetch!.setupSecSaved);
    const wasted = sum(rs, (p) => p.prefetch!.wastedCpuSec);
    return { arm: a.name, saved, wasted, pooled: saved / wasted, median: median(rs.map((r) => ratio(r.p))), p95: median(rs.map((r) => r.p.stepWait.p95Sec)), cost: sum(rs, (p) => p.cost.totalUsd) };
  });
  const [base, learn] = summary;
  const perCase = cases.map((c) => {
    const b = rows.find((r) => r.id === c.id && r.arm === base.arm)!;
    const l = rows.find((r) => r.id === c.id && r.arm === learn.arm)!;
    const rb = ratio(b.p);
    const rl = ratio(l.p);
    // gain of the ratio; a baseline that wasted nothing cannot be improved on (not counted), nor can a case where neither prepared
    const gain = Number.isFinite(rb) && rb > 0 ? rl / rb - 1 : Number.NaN;
    return { id: c.id, gain, rb, rl, b: b.p, l: l.p, waitOk: l.p.stepWait.p95Sec <= b.p.stepWait.p95Sec, costOk: l.p.cost.totalUsd <= b.p.cost.totalUsd * 1.0005 };
  });
  const gains = [
    `| case | saved / wasted CPU-s (${base.arm}) | (${learn.arm}) | gain | p95 wait s | cost USD |`,
    '|---|---:|---:|---:|---:|---:|',
    ...perCase.map((x) => `| ${x.id} | ${f2(x.rb)} | ${f2(x.rl)} | ${Number.isNaN(x.gain) ? 'not counted' : x.gain === Number.POSITIVE_INFINITY ? '∞ (nothing wasted)' : `${x.gain >= 0 ? '+' : ''}${(100 * x.gain).toFixed(1)} %`} | ${x.b.stepWait.p95Sec} → ${x.l.stepWait.p95Sec} | ${x.b.cost.totalUsd.toFixed(2)} → ${x.l.cost.totalUsd.toFixed(2)} |`),
  ];
  const verdict = `Over ${cases.length} case(s) at ${days} day(s): setup seconds saved per wasted CPU-second ${f2(base.pooled)} (single-step) → ${f2(learn.pooled)} (bundles+feedback), ${f2(100 * (learn.pooled / base.pooled - 1))} % pooled; per-case median ratio ${f2(base.median)} → ${f2(learn.median)}; median gain per case ${f2(100 * median(perCase.map((x) => x.gain)))} % over the ${perCase.filter((x) => !Number.isNaN(x.gain)).length} case(s) where single-step wasted something (goal ≥ 30 %); setup saved ${base.saved.toFixed(0)} → ${learn.saved.toFixed(0)} s, wasted ${base.wasted.toFixed(0)} → ${learn.wasted.toFixed(0)} CPU-s. p95 wait no worse in ${perCase.filter((x) => x.waitOk).length}/${cases.length} cases, cost no worse in ${perCase.filter((x) => x.costOk).length}/${cases.length}; total cost ${base.cost.toFixed(2)} → ${learn.cost.toFixed(2)} USD.`;
  const md = [verdict, '', ...summary.map((s) => `- ${s.arm}: saved ${s.saved.toFixed(0)} s, wasted ${s.wasted.toFixed(0)} CPU-s, ratio ${f2(s.pooled)}, median p95 wait ${s.p95} s, cost ${s.cost.toFixed(2)} USD`), '', ...gains, '', ...lines].join('\n');
  process.stdout.write(`${md}\n`);
  if (process.argv.includes('--write')) writeBenchSection('learning-suite', 'Learning loop on the suite: bundles + feedback vs single-step prefetch (issue 22)', md, `nice -n 10 npx tsx bench/predict-prefetch-suite.ts --days ${days}${argValue('--cases') ? ` --cases ${ids.join(',')}` : ''} --write`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
