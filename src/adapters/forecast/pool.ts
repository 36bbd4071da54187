/**
 * Forecasts many files in one process, across cores with a piscina worker-thread pool. Results are
 * delivered in input order (a later file waits for earlier ones), so output is deterministic.
 * A single file runs inline (starting a worker costs more than it saves).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { forecastFile, type FileForecast, type ForecastFileOptions } from './forecast-file.js';
import { createIsolatedArimaEngine } from './isolated-arima.js';

/** Pool options. */
export interface ForecastFilesOptions extends ForecastFileOptions {
  /** Worker threads. @default min(files, available cores) */
  readonly threads?: number;
}

function workerFile(): { filename: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./forecast-worker.ts', import.meta.url));
  const js = fileURLToPath(new URL('./forecast-worker.js', import.meta.url));
  // Under tsx (source tree) the worker is TypeScript: load it through tsx's ESM loader.
  if (!existsSync(js) && existsSync(ts)) return { filename: ts, execArgv: [...process.execArgv.filter((a) => !a.startsWith('--input-type')), '--import', 'tsx'] };
  return { filename: js, execArgv: process.execArgv };
}

/**
 * Forecasts `files`, calling `onResult` once per file in input order.
 */
export async function forecastFiles(files: readonly string[], opts: ForecastFilesOptions, onResult: (r: FileForecast) => void): Promise<void> {
  const threads = Math.max(1, Math.min(files.length, opts.threads ?? availableParallelism()));
  if (files.length <= 1 || threads === 1) {
    const engine = createIsolatedArimaEngine();
    for (const f of files) onResult(await forecastFile(f, opts, engine));
    return;
  }
  const { filename, execArgv } = workerFile();
  const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, execArgv });
  try {
    const pending = files.map((file) =>
      pool.run({ file, horizon: opts.horizon, levelPct: opts.levelPct, model: opts.model }).then(
        (r) => r as FileForecast,
        (err: unknown): FileForecast => ({ file, ok: false, message: err instanceof Error ? err.message : String(err), inputError: false }),
      ),
    );
    for (const p of pending) onResult(await p);
  } finally {
    await pool.destroy();
  }
}
