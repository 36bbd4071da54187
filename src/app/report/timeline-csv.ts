/**
 * `timeline.csv`: one row per pool per tick per policy (columns {@link TIMELINE_COLUMNS}). Units are
 * written with 4 decimals, cost with 6, so summing the cost column reproduces report.json's costs.
 */
import { TIMELINE_COLUMNS, type TimelineRow } from './types.js';

/** Digits written for the cost column. */
export const TIMELINE_COST_DIGITS = 6;

/** Formats a number with at most `digits` decimals, without trailing zeros. */
export function fmt(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return t === '-0' ? '0' : t;
}

/** Rounds a cost the way the CSV writes it. */
export function roundCost(usd: number): number {
  return Number(fmt(usd, TIMELINE_COST_DIGITS));
}

/** The header line. */
export function timelineHeader(): string {
  return `${TIMELINE_COLUMNS.join(',')}\n`;
}

/** One CSV line (with newline). Pool and policy names are quoted when they contain a comma or quote. */
export function timelineLine(r: TimelineRow): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${r.timestamp},${q(r.policy)},${q(r.pool)},${fmt(r.demand_units, 4)},${fmt(r.ready_units, 4)},${fmt(r.pending_units, 4)},${fmt(r.spot_units, 4)},${fmt(r.ondemand_units, 4)},${fmt(r.cost_usd, TIMELINE_COST_DIGITS)}\n`;
}
