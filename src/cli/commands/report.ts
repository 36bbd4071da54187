/**
 * `prescale report --from DIR [--out FILE]`: writes the self-contained HTML report (report.html)
 * of a report directory — a backtest's output, or a live deployment's exported with
 * `prescale export-report`. Bad or missing files stop with the one-line InputError and exit code 2.
 */
import type { Command } from 'commander';
import { writeHtmlReport } from '../../adapters/report/index.js';
import { existingDir } from '../paths.js';

/** Options as commander gives them. */
export interface ReportCliOptions {
  readonly from: string;
  readonly out?: string;
  readonly focus?: string;
}

/** Registers `prescale report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write a self-contained HTML cost/latency report (charts as inline SVG, no network needed) from a report directory: report.json and timeline.csv, plus forecast.csv, events.csv and attribution.csv when present.')
    .requiredOption('--from <dir>', 'report directory (`prescale backtest --out` or `prescale export-report --out`)')
    .option('--out <file>', 'HTML file to write (default: <dir>/report.html)')
    .option('--focus <policy>', 'policy compared with the others in the summary', 'prescale')
    .action(async (o: ReportCliOptions) => {
      existingDir(o.from, '--from', 'report directory (prescale backtest --out) holding report.json and timeline.csv');
      const t0 = performance.now();
      const file = await writeHtmlReport(o.from, { outFile: o.out, focusPolicy: o.focus });
      process.stdout.write(`wrote ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    });
}
