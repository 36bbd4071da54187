/** The backtest report: types, builder, and the text of report.md, report.json and timeline.csv. */
export * from './types.js';
export * from './raw.js';
export * from './build.js';
export * from './markdown.js';
export * from './timeline-csv.js';

import type { BacktestReport } from './types.js';

/** report.json's text: keys in the order the types declare them, two-space indent, final newline. */
export function reportJson(report: BacktestReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
