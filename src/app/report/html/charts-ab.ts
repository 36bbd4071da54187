/**
 * The A/B test of prefetch configurations (issue 22) on report.html: per arm the hit rate
 * (hits ÷ preparations, left), setup seconds saved against CPU-seconds wasted (middle) and mean chain
 * latency (right), the control drawn first; the caption names the tests (two-proportion z-test for
 * the hit rate, Welch t-test for latency, both against the control) with their p-values and the
 * winner with its confidence. Pure; absent from the page when no policy ran an A/B test (so reports
 * without one are byte-for-byte what they were).
 */
import { CHART_WIDTH_PX, panelBar, threePanelBarOption, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { OKABE_ITO } from './palette.js';

const pv = (x: number | null): string => (x === null ? 'n/a' : x < 0.0001 ? '< 0.0001' : x.toFixed(4));

/** The A/B charts, one per policy with an A/B section (none when no policy has one). */
export function abTestCharts(data: ReportData): ChartSpec[] {
  return data.report.policies.filter((p) => p.abTest && p.abTest.arms.length > 0).map((p) => {
    const a = p.abTest!;
    const arms = [...a.arms].sort((x, y) => (x.name === a.control ? -1 : y.name === a.control ? 1 : 0));
    const names = arms.map((x) => (x.name === a.control ? `${x.name} (control)` : x.name));
    const bar = (name: string, values: number[], color: string, panel: number): ChartOption => panelBar(name, values, color, panel, 36);
    const series: ChartOption[] = [
      bar('hit rate (%)', arms.map((x) => Math.round(1000 * x.hitRate) / 10), OKABE_ITO.blue, 0),
      bar('setup saved (s)', arms.map((x) => Math.round(x.setupSecSaved)), OKABE_ITO.bluishGreen, 1),
      bar('wasted CPU (s)', arms.map((x) => Math.round(x.wastedCpuSec)), OKABE_ITO.vermillion, 1),
      bar('latency mean (s)', arms.map((x) => Math.round(10 * x.latencySec.mean) / 10), OKABE_ITO.orange, 2),
    ];
    const words = arms.filter((x) => x.name !== a.control).map((x) => `${x.name}: hit rate ${(100 * x.hitRate).toFixed(1)} % (${x.hitRateDelta >= 0 ? '+' : ''}${(100 * x.hitRateDelta).toFixed(1)} pt, z-test p ${pv(x.hitRatePValue)}), latency ${x.latencyDeltaSec >= 0 ? '+' : ''}${x.latencyDeltaSec.toFixed(1)} s (Welch p ${pv(x.latencyPValue)}), wasted $${x.wastedUsd.toFixed(4)}`);
    const winner = a.winner.confidence !== null ? `Winner: ${a.winner.arm}, confidence ${(100 * a.winner.confidence).toFixed(1)} % (${a.winner.reason}).` : `No winner: ${a.winner.reason}.`;
    return {
      id: `ab-test${data.report.policies.length > 1 ? `-${p.policy}` : ''}`,
      title: `A/B test of prefetch configurations (${p.policy})`,
      widthPx: CHART_WIDTH_PX,
      heightPx: 340,
      caption: `${winner} Per arm (principals assigned by hash; control ${a.control}): left, hit rate = hits ÷ preparations; middle, setup seconds saved and CPU-seconds spent on preparations never used; right, mean chain latency (arrival to last step). Tests against the control: ${a.tests}. ${words.join('; ')}.`,
      option: threePanelBarOption(names, 's', 's', series, 48),
      seriesWithData: series.length,
    };
  });
}
