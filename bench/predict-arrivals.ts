/**
 * Arrival forecast error of the behaviour model (issue 19 item 6; core/predict/arrival-rate.ts), part
 * of `npm run bench:predict`: for each backtest-suite case without an Azure trace (bench/suite/cases.ts,
 * its own days and seed), the chain arrivals of its traces scenario replayed through the model,
 * forecasting every workflow's arrivals over the next 15 minutes from each origin after a day of
 * warm-up. Scores per workflow: MASE against the naive forecast (the previous window), the ratio to
 * the seasonal-naive forecast (the same window a day before), the mean pinball loss of the p10/p50/p90
 * quantiles against the seasonal-naive Poisson quantiles, and the p10–p90 coverage.
 */
import path from 'node:path';
import { arrivalForecastError, type ArrivalForecastError } from '../src/core/predict/arrival-rate.js';
import { tracesScenario } from '../src/sim/scenario/traces.js';
import { caseFiles, SUITE_CASES } from './suite/cases.js';

/** Forecast window, seconds (the model's 5–15 minute horizon, its upper end). */
const HORIZON_SEC = 900;
const WARMUP_SEC = 86_400;

/** One row of the section. */
export interface ArrivalErrorRow extends ArrivalForecastError {
  readonly caseId: string;
  readonly arrivals: number;
}

/** Runs the replay on every non-Azure suite case whose data is present (others are skipped). */
export async function arrivalErrorRows(dataDir: string): Promise<ArrivalErrorRow[]> {
  const rows: ArrivalErrorRow[] = [];
  for (const c of SUITE_CASES) {
    if (c.azureInvocations) continue;
    const f = caseFiles(c, dataDir);
    let sc;
    try {
      sc = await tracesScenario({ metrics: f.metrics, workflows: f.workflows, pricesDir: f.prices, days: c.days, seed: c.seed });
    } catch (e) {
      process.stderr.write(`bench:predict arrivals: ${c.id} skipped (${(e as Error).message.split('\n')[0]})\n`);
      continue;
    }
    const arrivals = [...sc.arrivals].sort((a, b) => a.atSec - b.atSec).map((a) => ({ principal: a.principal ?? 'anonymous', workflow: a.workflow, atSec: a.atSec }));
    for (const e of arrivalForecastError(arrivals, HORIZON_SEC, WARMUP_SEC)) rows.push({ caseId: c.id, arrivals: arrivals.filter((a) => a.workflow === e.workflow).length, ...e });
  }
  return rows;
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));

/** The markdown section. */
export function arrivalErrorMarkdown(rows: readonly ArrivalErrorRow[]): string {
  const wins = rows.filter((r) => r.pinball < r.pinballSeasonalNaive).length;
  const maseWins = rows.filter((r) => r.mase < 1).length;
  return [
    `Chain arrivals of each backtest-suite case without an Azure trace (its traces scenario: days and seed of bench/suite/cases.ts), replayed through the behaviour model's arrival forecast (core/predict/arrival-rate.ts: hour-of-day × weekday profile blended with a recent-activity rate, Poisson quantiles), every ${HORIZON_SEC / 60} minutes after ${WARMUP_SEC / 3600} h of warm-up, per workflow. MASE: MAE ÷ the naive forecast's (previous window). × seasonal naive: MAE ÷ the MAE of the count one day earlier. Pinball: mean quantile loss of p10/p50/p90, arrivals per window, against the seasonal-naive Poisson quantiles.`,
    '',
    '| case | workflow | arrivals | origins | MASE | MAE × seasonal naive | pinball | pinball seasonal naive | p10–p90 coverage |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.caseId} | ${r.workflow} | ${r.arrivals} | ${r.origins} | ${f3(r.mase)} | ${f3(r.maseSeasonal)} | ${f3(r.pinball)} | ${f3(r.pinballSeasonalNaive)} | ${(r.coverage80 * 100).toFixed(0)}% |`),
    '',
    `MASE < 1 on ${maseWins} of ${rows.length} workflow rows; pinball loss below the seasonal-naive baseline on ${wins} of ${rows.length}.`,
  ].join('\n');
}

/** Default data directory (`../shared/data`, or PRESCALE_DATA_DIR). */
export const ARRIVAL_DATA_DIR = path.resolve(process.cwd(), process.env.PRESCALE_DATA_DIR ?? '../shared/data');
