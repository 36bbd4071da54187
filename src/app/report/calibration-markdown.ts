/**
 * report.md's calibration section (issue 22): per policy that scores its next-step probabilities,
 * the Brier score and the reliability curve per decile, raw model against the probabilities the tick
 * used; and the bundle section (bundle members against single steps, live exports).
 */
import type { BacktestReport } from './types.js';

const f3 = (x: number): string => x.toFixed(3);

/** The section's lines (empty when no policy reports calibration). */
export function calibrationSection(report: BacktestReport): string[] {
  const ps = report.policies.filter((p) => p.nextStep?.calibration && p.nextStep.calibration.outcomes > 0);
  if (ps.length === 0) return [];
  const out = ['## Calibration of next-step probabilities', ''];
  for (const p of ps) {
    const c = p.nextStep!.calibration!;
    out.push(
      `${p.policy}: ${c.outcomes} predicted next steps scored against the step that started (${c.cameTrue} came true, ${c.expired} expired unanswered); ` +
        `probabilities ${c.calibrated ? `calibrated online (isotonic map on the outcomes${c.raise ? '' : ', lowering overconfident levels only'})` : 'used raw (calibration measured only)'}. ` +
        `Brier ${f3(c.brier)} (raw ${f3(c.raw.brier)}), max decile error ${f3(c.maxDecileError)} (raw ${f3(c.raw.maxDecileError)}; deciles with ≥ ${c.minBinCount} predictions; goal < 0.05), ECE ${f3(c.ece)}. ` +
        `A step that came true started a median ${c.latenessSec.p50.toFixed(0)} s (p95 ${c.latenessSec.p95.toFixed(0)} s) after its expected start.`,
      '',
      '| decile | predictions | mean p (used) | came true (used) | error | raw: mean p | raw: came true | raw: error |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...c.deciles.map((d, i) => {
        const r = c.raw.deciles[i];
        return `| ${d.lo.toFixed(1)}–${d.hi.toFixed(1)} | ${d.n} | ${f3(d.meanPredicted)} | ${f3(d.observed)} | ${d.n >= c.minBinCount ? f3(d.absError) : '-'} | ${f3(r.meanPredicted)} | ${f3(r.observed)} | ${r.n >= c.minBinCount ? f3(r.absError) : '-'} |`;
      }),
      '',
    );
  }
  return out;
}

/** report.md's bundle section (issue 22): bundle members against single steps, per policy that reports them (live exports). */
export function bundleSection(report: BacktestReport): string[] {
  const ps = report.policies.filter((p) => p.bundles);
  if (ps.length === 0) return [];
  const out = ['## Bundles against single-step preparations', ''];
  for (const p of ps) {
    const b = p.bundles!;
    out.push(
      `${p.policy}: commanded preparations${b.asOfSec !== null ? ` up to ${new Date(b.asOfSec * 1000).toISOString()}` : ''}, ${b.edges} bundle edge${b.edges === 1 ? '' : 's'} with outcomes.`,
      '',
      '| selection | prepared (settled) | hits | hit rate | setup saved (s) | wasted CPU (s) | saved ÷ wasted CPU |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...([['bundle members', b.bundle], ['single steps', b.single]] as const).map(([n, x]) => `| ${n} | ${x.settled} | ${x.hits} | ${(100 * x.hitRate).toFixed(1)} % | ${x.setupSecSaved.toFixed(0)} | ${x.wastedCpuSec.toFixed(0)} | ${x.savedPerWastedCpuSec === null ? '-' : x.savedPerWastedCpuSec.toFixed(2)} |`),
      '',
    );
  }
  return out;
}

/** report.md's A/B section (issue 22): per arm the figures and the tests against the control, and the winner. */
export function abTestSection(report: BacktestReport): string[] {
  const ps = report.policies.filter((p) => p.abTest);
  if (ps.length === 0) return [];
  const out = ['## A/B test of prefetch configurations', ''];
  const pv = (x: number | null): string => (x === null ? '-' : x < 0.0001 ? '< 0.0001' : x.toFixed(4));
  for (const p of ps) {
    const a = p.abTest!;
    out.push(
      `${p.policy}: winner **${a.winner.arm}**${a.winner.confidence !== null ? ` with confidence ${(100 * a.winner.confidence).toFixed(1)} %` : ''} (${a.winner.reason}). Tests: ${a.tests}.`,
      '',
      '| arm | chains | preparations | hit rate | Δ vs control | p (z-test) | setup saved (s) | wasted CPU (s) | wasted (USD) | saved ÷ wasted CPU | latency mean / p95 (s) | Δ mean (s) | p (Welch) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...a.arms.map((x) => `| ${x.name}${x.name === a.control ? ' (control)' : ''} | ${x.chains} | ${x.preparations} | ${(100 * x.hitRate).toFixed(1)} % | ${(100 * x.hitRateDelta).toFixed(1)} pt | ${pv(x.hitRatePValue)} | ${x.setupSecSaved.toFixed(0)} | ${x.wastedCpuSec.toFixed(0)} | $${x.wastedUsd.toFixed(4)} | ${x.savedPerWastedCpuSec === null ? '-' : x.savedPerWastedCpuSec.toFixed(2)} | ${x.latencySec.mean.toFixed(0)} / ${x.latencySec.p95.toFixed(0)} | ${x.latencyDeltaSec.toFixed(1)} | ${pv(x.latencyPValue)} |`),
      '',
    );
  }
  return out;
}
