/**
 * Registers every CLI command. Add one import and one call per command file.
 */
import type { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerExportMetrics } from './export-metrics.js';
import { registerExportReport } from './export-report.js';
import { registerForecast } from './forecast.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerSignals } from './signals.js';
import { registerWorker } from './worker.js';

/** Adds all prescale commands to `program`. */
export function registerCommands(program: Command): void {
  void program;
  registerBacktest(program);
  registerExportMetrics(program);
  registerExportReport(program);
  registerForecast(program);
  registerReport(program);
  registerServe(program);
  registerSignals(program);
  registerWorker(program);
}
