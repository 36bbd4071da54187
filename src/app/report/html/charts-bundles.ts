/**
 * Frequent-subgraph bundles against single-step preparations on report.html (issue 22): for the
 * commanded preparations of each kind, the hit rate (hits ÷ settled, left), setup seconds saved
 * against CPU-seconds wasted (middle) and setup seconds saved per wasted CPU-second (right). Pure;
 * absent from the page when no policy reports bundles (a live export does, from the controller's
 * saved tick memory; a backtest report does not, so its page is what it was).
 */
import { CHART_WIDTH_PX, panelBar, threePanelBarOption, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { OKABE_ITO } from './palette.js';
import type { SelectionFigures } from '../types.js';

const ratio = (x: SelectionFigures): string => (x.savedPerWastedCpuSec === null ? 'nothing wasted' : `${x.savedPerWastedCpuSec.toFixed(2)} s saved per wasted CPU-s`);

/** The bundle charts, one per policy with bundle figures (none when no policy has them). */
export function bundleCharts(data: ReportData): ChartSpec[] {
  return data.report.policies.filter((p) => p.bundles).map((p) => {
    const b = p.bundles!;
    const kinds: ReadonlyArray<[string, SelectionFigures]> = [['bundle members', b.bundle], ['single steps', b.single]];
    const names = kinds.map(([n]) => n);
    const bar = (name: string, values: number[], color: string, panel: number): ChartOption => panelBar(name, values, color, panel, 48);
    const series: ChartOption[] = [
      bar('hit rate (%)', kinds.map(([, x]) => Math.round(1000 * x.hitRate) / 10), OKABE_ITO.blue, 0),
      bar('setup saved (s)', kinds.map(([, x]) => Math.round(x.setupSecSaved)), OKABE_ITO.bluishGreen, 1),
      bar('wasted CPU (s)', kinds.map(([, x]) => Math.round(x.wastedCpuSec)), OKABE_ITO.vermillion, 1),
      bar('saved per wasted CPU-s', kinds.map(([, x]) => (x.savedPerWastedCpuSec === null ? 0 : Math.round(100 * x.savedPerWastedCpuSec) / 100)), OKABE_ITO.orange, 2),
    ];
    const asOf = b.asOfSec !== null ? ` up to ${new Date(b.asOfSec * 1000).toISOString()}` : '';
    const words = kinds.map(([n, x]) => `${n}: ${x.settled} prepared and settled, ${x.hits} hits (${(100 * x.hitRate).toFixed(1)} %), ${x.setupSecSaved.toFixed(0)} s saved, ${x.wastedCpuSec.toFixed(0)} CPU-s wasted, ${ratio(x)}`);
    return {
      id: `bundles${data.report.policies.length > 1 ? `-${p.policy}` : ''}`,
      title: `Bundles against single-step preparations (${p.policy})`,
      widthPx: CHART_WIDTH_PX,
      heightPx: 320,
      caption: `Commanded preparations${asOf}, as members of a frequent-subgraph bundle (${b.edges} bundle edge${b.edges === 1 ? '' : 's'} with outcomes) or as single-step predictions: left, hit rate = hits ÷ settled; middle, setup seconds saved and CPU-seconds spent on preparations never used; right, setup seconds saved per wasted CPU-second. ${words.join('; ')}.`,
      option: threePanelBarOption(names, 's', 's / CPU-s', series, 40),
      seriesWithData: series.length,
    };
  });
}
