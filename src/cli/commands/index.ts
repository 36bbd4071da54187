/**
 * The CLI's commands, loaded lazily: each entry names a command, its one-line summary (for
 * `prescale --help`) and how to load the module that registers it. Only the command being run is
 * imported, so `prescale --version` or `prescale signals` does not load the AWS SDK, fastify or the
 * simulator. Add one entry per command file.
 */
import type { Command } from 'commander';

/** One lazily loaded command. */
export interface CommandEntry {
  readonly name: string;
  /** The summary `prescale --help` lists (the command's own `--help` has the full description). */
  readonly summary: string;
  /** Imports the command's module and returns its register function. */
  readonly load: () => Promise<(program: Command) => void>;
}

/** Every prescale command, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'backtest', summary: 'Compare the scaling policies on a simulated cloud, on the default scenario or your own data; writes report.html', load: async () => (await import('./backtest.js')).registerBacktest },
  { name: 'export-metrics', summary: 'Save CloudWatch metric history as CSV files for `prescale backtest --metrics`', load: async () => (await import('./export-metrics.js')).registerExportMetrics },
  { name: 'export-report', summary: "Export a live deployment's decision log, executions and costs into a report directory", load: async () => (await import('./export-report.js')).registerExportReport },
  { name: 'forecast', summary: 'Forecast metric series and print mean and interval per step', load: async () => (await import('./forecast.js')).registerForecast },
  { name: 'report', summary: 'Write the self-contained HTML report of a report directory', load: async () => (await import('./report.js')).registerReport },
  { name: 'serve', summary: 'Serve the Chain Management API', load: async () => (await import('./serve.js')).registerServe },
  { name: 'signals', summary: 'Read metric series, workflow traces and arrivals and report what was read and repaired', load: async () => (await import('./signals.js')).registerSignals },
  { name: 'worker', summary: "Run a pool's steps: long-poll its queue, run registered tasks, report to Step Functions", load: async () => (await import('./worker.js')).registerWorker },
];

/**
 * Adds the commands to `program`: the one named by `commandName` fully (its module is imported),
 * every other one as a placeholder with its summary, so the top-level help still lists them all.
 * @param commandName the command the user runs (`undefined`: none, e.g. `--version`; `'*'`: load all)
 */
export async function registerCommands(program: Command, commandName?: string): Promise<void> {
  for (const c of COMMANDS) {
    if (commandName === '*' || c.name === commandName) (await c.load())(program);
    else program.command(c.name).description(c.summary).allowUnknownOption().helpOption(false);
  }
}
