/**
 * Optional extra files of a report directory, next to report.json / report.md / timeline.csv. The
 * HTML report draws the charts that need them when present and says what is missing otherwise:
 *
 * - `forecast.csv`: `timestamp,policy,pool,p10_units,p50_units,p90_units` — the demand forecast the
 *   policy planned with, in capacity units (vCPU), for the period starting at `timestamp` (epoch s).
 * - `events.csv`: `timestamp,policy,pool,kind,detail` — discrete events (see {@link EVENT_KINDS});
 *   `pool` may be empty for events not tied to a pool, `detail` is free text.
 * - `attribution.csv`: `policy,principal,workflow,chains,cost_usd` — cost of the chains each
 *   principal ran per workflow under one policy, USD.
 *
 * Rows are written sorted (see the `*CsvText` writers) so the same data gives the same bytes. Pure.
 */
import type { Forecast } from '../../../core/model/index.js';
import { forecastQuantile } from '../../../core/model/index.js';
import { InputError } from '../../../core/model/errors.js';
import { columnIndex, csvField, csvNumber, numberField, parseCsvRecords, textField } from './csv.js';

/** File names of the optional extras. */
export const EXTRA_FILES = { forecast: 'forecast.csv', events: 'events.csv', attribution: 'attribution.csv' } as const;

/** Columns of forecast.csv, in order. */
export const FORECAST_COLUMNS = ['timestamp', 'policy', 'pool', 'p10_units', 'p50_units', 'p90_units'] as const;
/** Columns of events.csv, in order. */
export const EVENT_COLUMNS = ['timestamp', 'policy', 'pool', 'kind', 'detail'] as const;
/** Columns of attribution.csv, in order. */
export const ATTRIBUTION_COLUMNS = ['policy', 'principal', 'workflow', 'chains', 'cost_usd'] as const;

/**
 * Event kinds the report draws: a spot instance reclaimed, a chain switched variant, a prepared step
 * used (hit) or expired unused (waste), an instance launched or terminated. Other kinds are kept and
 * listed but not charted.
 */
export const EVENT_KINDS = ['spot-interruption', 'variant-switch', 'prefetch-hit', 'prefetch-waste', 'launch', 'termination'] as const;
/** A known event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** One forecast.csv row: quantiles of demand units (vCPU) for the period starting at `timestamp`. */
export interface ForecastRow {
  readonly timestamp: number;
  readonly policy: string;
  readonly pool: string;
  readonly p10_units: number;
  readonly p50_units: number;
  readonly p90_units: number;
}

/** One events.csv row. */
export interface EventRow {
  readonly timestamp: number;
  readonly policy: string;
  /** Empty when the event is not tied to a pool. */
  readonly pool: string;
  /** One of {@link EVENT_KINDS}, or another lowercase kebab-case word. */
  readonly kind: string;
  readonly detail: string;
}

/** One attribution.csv row. */
export interface AttributionRow {
  readonly policy: string;
  readonly principal: string;
  readonly workflow: string;
  readonly chains: number;
  readonly cost_usd: number;
}

/**
 * Parses forecast.csv (columns {@link FORECAST_COLUMNS} in any order).
 * @throws InputError naming file, line and column for a missing column, a non-number, or p10 > p50 > p90 out of order
 */
export function parseForecastCsv(text: string, file: string): ForecastRow[] {
  const [head, ...recs] = parseCsvRecords(text, file);
  const c = columnIndex(head, file, FORECAST_COLUMNS);
  return recs.map((r) => {
    const row: ForecastRow = {
      timestamp: numberField(r, c.timestamp, file, 'timestamp'),
      policy: textField(r, c.policy, file, 'policy'),
      pool: textField(r, c.pool, file, 'pool'),
      p10_units: numberField(r, c.p10_units, file, 'p10_units'),
      p50_units: numberField(r, c.p50_units, file, 'p50_units'),
      p90_units: numberField(r, c.p90_units, file, 'p90_units'),
    };
    if (row.p10_units > row.p50_units + 1e-9 || row.p50_units > row.p90_units + 1e-9) {
      throw new InputError({ file, line: r.line, field: 'p50_units' }, `${row.p10_units},${row.p50_units},${row.p90_units}`, 'p10_units <= p50_units <= p90_units');
    }
    return row;
  });
}

/**
 * Parses events.csv (columns {@link EVENT_COLUMNS} in any order; `pool` and `detail` may be empty).
 * @throws InputError naming file, line and column for a missing column, a bad timestamp, or a kind that is not lowercase kebab-case
 */
export function parseEventsCsv(text: string, file: string): EventRow[] {
  const [head, ...recs] = parseCsvRecords(text, file);
  const c = columnIndex(head, file, EVENT_COLUMNS);
  return recs.map((r) => {
    const kind = textField(r, c.kind, file, 'kind');
    if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new InputError({ file, line: r.line, field: 'kind' }, kind, `a lowercase kebab-case kind such as ${EVENT_KINDS.join(', ')}`);
    return {
      timestamp: numberField(r, c.timestamp, file, 'timestamp'),
      policy: textField(r, c.policy, file, 'policy'),
      pool: (r.fields[c.pool] ?? '').trim(),
      kind,
      detail: r.fields[c.detail] ?? '',
    };
  });
}

/**
 * Parses attribution.csv (columns {@link ATTRIBUTION_COLUMNS} in any order).
 * @throws InputError naming file, line and column for a missing column, an empty name, or a negative or non-integer chain count or cost
 */
export function parseAttributionCsv(text: string, file: string): AttributionRow[] {
  const [head, ...recs] = parseCsvRecords(text, file);
  const c = columnIndex(head, file, ATTRIBUTION_COLUMNS);
  return recs.map((r) => {
    const chains = numberField(r, c.chains, file, 'chains', true);
    if (!Number.isInteger(chains)) throw new InputError({ file, line: r.line, field: 'chains' }, chains, 'a whole number of chains');
    return {
      policy: textField(r, c.policy, file, 'policy'),
      principal: textField(r, c.principal, file, 'principal'),
      workflow: textField(r, c.workflow, file, 'workflow'),
      chains,
      cost_usd: numberField(r, c.cost_usd, file, 'cost_usd', true),
    };
  });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** forecast.csv text: header, rows sorted by policy, pool, timestamp; units with 4 decimals. */
export function forecastCsvText(rows: readonly ForecastRow[]): string {
  const sorted = [...rows].sort((a, b) => cmp(a.policy, b.policy) || cmp(a.pool, b.pool) || a.timestamp - b.timestamp);
  const lines = sorted.map((r) => [r.timestamp, csvField(r.policy), csvField(r.pool), csvNumber(r.p10_units, 4), csvNumber(r.p50_units, 4), csvNumber(r.p90_units, 4)].join(','));
  return `${[FORECAST_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** events.csv text: header, rows sorted by timestamp, policy, pool, kind (stable for ties). */
export function eventsCsvText(rows: readonly EventRow[]): string {
  const sorted = [...rows].sort((a, b) => a.timestamp - b.timestamp || cmp(a.policy, b.policy) || cmp(a.pool, b.pool) || cmp(a.kind, b.kind));
  const lines = sorted.map((r) => [r.timestamp, csvField(r.policy), csvField(r.pool), csvField(r.kind), csvField(r.detail)].join(','));
  return `${[EVENT_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** attribution.csv text: header, rows sorted by policy, principal, workflow; USD with 6 decimals. */
export function attributionCsvText(rows: readonly AttributionRow[]): string {
  const sorted = [...rows].sort((a, b) => cmp(a.policy, b.policy) || cmp(a.principal, b.principal) || cmp(a.workflow, b.workflow));
  const lines = sorted.map((r) => [csvField(r.policy), csvField(r.principal), csvField(r.workflow), r.chains, csvNumber(r.cost_usd, 6)].join(','));
  return `${[ATTRIBUTION_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/**
 * forecast.csv rows from one forecast of a metric series: step h covers the period starting at
 * `originSec + (h + 1) * periodSec` (the {@link Forecast} convention); values are divided by
 * `metricPerUnit` (metric value per capacity unit, as in the scenario's demand signal) to get units.
 * Only steps with `fromSec <= timestamp < toSec` are kept (e.g. up to the next refit).
 * @throws RangeError when `metricPerUnit` is not a positive finite number
 */
export function forecastRowsFromForecast(
  policy: string, pool: string, forecast: Forecast, metricPerUnit: number,
  fromSec = -Infinity, toSec = Infinity,
): ForecastRow[] {
  if (!(metricPerUnit > 0) || !Number.isFinite(metricPerUnit)) throw new RangeError(`metricPerUnit must be a positive finite number, got ${metricPerUnit}`);
  const rows: ForecastRow[] = [];
  for (let h = 0; h < forecast.mean.length; h++) {
    const timestamp = forecast.originSec + (h + 1) * forecast.periodSec;
    if (timestamp < fromSec || timestamp >= toSec) continue;
    const q = (level: number): number => Math.max(0, forecastQuantile(forecast, level, h)) / metricPerUnit;
    const p10 = q(0.1);
    const p50 = Math.max(p10, q(0.5));
    rows.push({ timestamp, policy, pool, p10_units: p10, p50_units: p50, p90_units: Math.max(p50, q(0.9)) });
  }
  return rows;
}

/** One finished chain, as the backtest or the chain service knows it. */
export interface ChainCost {
  readonly principal: string;
  readonly workflow: string;
  /** Cost of the chain's tasks, USD. */
  readonly costUsd: number;
}

/** attribution.csv rows: chains and cost summed per principal × workflow, for one policy (sorted). */
export function attributionRows(policy: string, chains: Iterable<ChainCost>): AttributionRow[] {
  const acc = new Map<string, { principal: string; workflow: string; chains: number; cost: number }>();
  for (const ch of chains) {
    const key = JSON.stringify([ch.principal, ch.workflow]);
    const a = acc.get(key) ?? { principal: ch.principal, workflow: ch.workflow, chains: 0, cost: 0 };
    a.chains += 1;
    a.cost += ch.costUsd;
    acc.set(key, a);
  }
  return [...acc.values()]
    .sort((a, b) => cmp(a.principal, b.principal) || cmp(a.workflow, b.workflow))
    .map((a) => ({ policy, principal: a.principal, workflow: a.workflow, chains: a.chains, cost_usd: a.cost }));
}
