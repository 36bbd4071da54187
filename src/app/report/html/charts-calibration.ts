/**
 * Calibration of next-step probabilities (issue 22): the reliability curve per decile (mean predicted
 * probability against the share that came true, raw model and the probabilities the tick used, with
 * the diagonal of perfect calibration) and the Brier score per hour. Pure.
 */
import { baseOption, CHART_WIDTH_PX, runRange, styleOf, styledLine, timeAxes, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { OKABE_ITO } from './palette.js';
import type { ReliabilityDecile } from '../types.js';

/** Reliability curve (left) and Brier score over time (right) of the policies that report calibration. */
export function calibrationChart(data: ReportData): ChartSpec {
  const base = { id: 'calibration', title: 'Calibration of next-step probabilities', widthPx: CHART_WIDTH_PX, heightPx: 340 };
  const ps = data.report.policies.filter((p) => p.nextStep?.calibration && p.nextStep.calibration.outcomes > 0);
  if (ps.length === 0) return { ...base, caption: '', seriesWithData: 0, missing: 'No policy in report.json scored its next-step probabilities (nextStep.calibration is absent or empty).' };
  const series: ChartOption[] = [
    { type: 'line', name: 'perfect calibration', xAxisIndex: 0, yAxisIndex: 0, data: [[0, 0], [1, 1]], showSymbol: false, color: '#999999', lineStyle: { color: '#999999', width: 1, type: 'dashed' } },
  ];
  const curve = (name: string, ds: readonly ReliabilityDecile[], min: number, color: string, symbol: string, dashed: boolean): ChartOption => ({
    type: 'line', name, xAxisIndex: 0, yAxisIndex: 0, symbol, symbolSize: 8, color,
    lineStyle: { color, width: 1.8, type: dashed ? 'dashed' : 'solid' }, itemStyle: { color },
    data: ds.filter((d) => d.n >= min).map((d) => [d.meanPredicted, d.observed]),
  });
  for (const p of ps) {
    const c = p.nextStep!.calibration!;
    series.push(curve(`${p.policy} raw model`, c.raw.deciles, c.minBinCount, OKABE_ITO.vermillion, 'triangle', true));
    if (c.calibrated) series.push(curve(`${p.policy} calibrated (used)`, c.deciles, c.minBinCount, OKABE_ITO.blue, 'circle', false));
    series.push(styledLine(`${p.policy} Brier per hour`, c.brierOverTime.map((b) => [b.startSec * 1000, b.brier] as [number, number]), styleOf(data, p.policy), { gridIndex: 1 }));
  }
  const t = timeAxes('Brier', 1, undefined, runRange(data));
  const words = ps.map((p) => {
    const c = p.nextStep!.calibration!;
    return `${p.policy}: ${c.outcomes} predictions scored, ${c.cameTrue} came true; max decile error ${c.maxDecileError.toFixed(3)} (raw ${c.raw.maxDecileError.toFixed(3)}), Brier ${c.brier.toFixed(3)} (raw ${c.raw.brier.toFixed(3)}); a step that came true started a median ${c.latenessSec.p50.toFixed(0)} s after its expected start (p95 ${c.latenessSec.p95.toFixed(0)} s)`;
  });
  return {
    ...base,
    caption: `Left: per decile of predicted probability with at least ${ps[0].nextStep!.calibration!.minBinCount} predictions, the mean probability against the share of those predictions whose step started next (on the dashed diagonal: calibrated). Right: Brier score (mean squared error of the probabilities, 0 best) per hour. ${words.join('; ')}.`,
    option: baseOption({
      grid: [{ left: 56, width: '38%', top: 56, bottom: 40 }, { right: 44, width: '44%', top: 56, bottom: 40 }],
      xAxis: [{ type: 'value', gridIndex: 0, min: 0, max: 1, name: 'predicted', nameLocation: 'middle', nameGap: 24 }, t.xAxis],
      yAxis: [{ type: 'value', gridIndex: 0, min: 0, max: 1, name: 'came true', splitLine: { lineStyle: { color: '#e5e5e5' } } }, t.yAxis],
      series,
    }),
    seriesWithData: series.filter((s) => Array.isArray(s.data) && (s.data as unknown[]).length > 0).length,
  };
}
