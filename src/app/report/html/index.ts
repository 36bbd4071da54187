/**
 * The HTML cost/latency report: parsers of the report directory's files (report.json, timeline.csv
 * and the optional forecast.csv, events.csv, attribution.csv), chart options built from them, and
 * the page. Rendering charts to SVG is injected (see src/adapters/report). Pure.
 */
export * from './csv.js';
export * from './extras.js';
export * from './inputs.js';
export * from './palette.js';
export * from './series.js';
export * from './summary.js';
export * from './chart-kit.js';
export * from './charts-capacity.js';
export * from './charts-cost.js';
export * from './charts-quality.js';
export * from './page-parts.js';
export * from './page.js';
export * from './live.js';
