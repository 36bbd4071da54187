/**
 * Parsing the backtest's own files for the HTML report: `report.json` (checked against the fields the
 * page reads) and `timeline.csv` (columns {@link TIMELINE_COLUMNS}, plus the optional per-market cost
 * columns `spot_cost_usd` and `ondemand_cost_usd` when a writer adds them). Pure.
 */
import { z } from 'zod';
import { InputError } from '../../../core/model/errors.js';
import { TIMELINE_COLUMNS, type BacktestReport, type TimelineRow } from '../types.js';
import { columnIndex, numberField, parseCsvRecords, textField } from './csv.js';

/** A timeline row, with the per-market split of `cost_usd` when the file has it. */
export interface HtmlTimelineRow extends TimelineRow {
  readonly spot_cost_usd?: number;
  readonly ondemand_cost_usd?: number;
}

/** Optional timeline.csv columns the page uses when present. */
export const TIMELINE_OPTIONAL_COLUMNS = ['spot_cost_usd', 'ondemand_cost_usd'] as const;

const latency = z.object({ count: z.number(), p50Sec: z.number(), p95Sec: z.number(), p99Sec: z.number(), meanSec: z.number(), maxSec: z.number() });
const ReportShape = z.object({
  schemaVersion: z.number().int(),
  scenario: z.object({
    name: z.string(), seed: z.number(), startSec: z.number(), endSec: z.number(), days: z.number(), tickSec: z.number().positive(),
    pools: z.array(z.string()), series: z.array(z.string()), workflows: z.array(z.string()), sources: z.array(z.string()),
  }),
  policies: z.array(z.object({
    policy: z.string().min(1),
    cost: z.object({ totalUsd: z.number(), spotUsd: z.number(), onDemandUsd: z.number(), cacheUsd: z.number() }),
    costRatioToOracle: z.number().nullable(),
    stepWait: latency,
    chainMakespan: latency,
    spotInterruptions: z.number(),
    forecastError: z.object({ metric: z.string(), value: z.number(), points: z.number(), horizonSec: z.number() }).nullable(),
    nextStep: z.object({ predictions: z.number(), hits: z.number(), hitRate: z.number() }).nullable(),
    prefetch: z.object({ preparations: z.number(), hits: z.number(), setupSecSaved: z.number(), wastedCpuSec: z.number(), wastedUsd: z.number() }).nullable(),
  })).min(1),
  assumptions: z.array(z.string()),
});

/**
 * Parses report.json's text.
 * @throws InputError naming `file` and the JSON path of the first missing or mistyped field
 */
export function parseReportJson(text: string, file: string): BacktestReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, text.slice(0, 40), `JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const got = ReportShape.safeParse(raw);
  if (!got.success) {
    const issue = got.error.issues[0];
    const at = issue.path.map(String).join('.');
    let value: unknown = raw;
    for (const k of issue.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[String(k)] : undefined;
    throw new InputError({ file, field: at }, value === undefined ? 'nothing' : value, `a report.json field: ${issue.message}`);
  }
  return raw as BacktestReport;
}

/**
 * Parses timeline.csv's text (header required; columns may come in any order).
 * @throws InputError naming file, line and column for a missing column or a bad number
 */
export function parseTimelineCsv(text: string, file: string): HtmlTimelineRow[] {
  const [head, ...recs] = parseCsvRecords(text, file);
  const c = columnIndex(head, file, TIMELINE_COLUMNS, TIMELINE_OPTIONAL_COLUMNS);
  const split = c.spot_cost_usd !== undefined && c.ondemand_cost_usd !== undefined;
  return recs.map((r) => {
    const row: HtmlTimelineRow = {
      timestamp: numberField(r, c.timestamp, file, 'timestamp'),
      policy: textField(r, c.policy, file, 'policy'),
      pool: textField(r, c.pool, file, 'pool'),
      demand_units: numberField(r, c.demand_units, file, 'demand_units'),
      ready_units: numberField(r, c.ready_units, file, 'ready_units', true),
      pending_units: numberField(r, c.pending_units, file, 'pending_units', true),
      spot_units: numberField(r, c.spot_units, file, 'spot_units', true),
      ondemand_units: numberField(r, c.ondemand_units, file, 'ondemand_units', true),
      cost_usd: numberField(r, c.cost_usd, file, 'cost_usd', true),
    };
    if (!split) return row;
    return { ...row, spot_cost_usd: numberField(r, c.spot_cost_usd!, file, 'spot_cost_usd', true), ondemand_cost_usd: numberField(r, c.ondemand_cost_usd!, file, 'ondemand_cost_usd', true) };
  });
}
