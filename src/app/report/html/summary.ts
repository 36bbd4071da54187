/**
 * The numbers at the top of the HTML report: how prescale's cost compares with every other policy
 * and the oracle, what that difference is worth per day and per month, and p95 waits. Pure.
 */
import type { BacktestReport, PolicyReport } from '../types.js';

/** Average days per month (365.25 / 12), used to turn a daily rate into a monthly one. */
export const DAYS_PER_MONTH = 30.4375;

/** prescale compared with one other policy. */
export interface PolicyComparison {
  readonly policy: string;
  /** prescale's total cost / this policy's (null when this policy cost nothing). */
  readonly costRatio: number | null;
  /** This policy's cost − prescale's, per simulated day, USD (negative: prescale costs more). */
  readonly savedUsdPerDay: number;
  /** {@link savedUsdPerDay} × {@link DAYS_PER_MONTH}. */
  readonly savedUsdPerMonth: number;
  readonly p95WaitSec: number;
}

/** The summary block. */
export interface ReportSummary {
  /** The policy the report is about ("prescale"), or null when the report has no such policy. */
  readonly focus: PolicyReport | null;
  /** Days the costs cover: (endSec − startSec) / 86 400, or scenario.days when that is 0. */
  readonly coveredDays: number;
  /** Every other policy, report order (the oracle included). */
  readonly comparisons: readonly PolicyComparison[];
}

/**
 * Builds the summary. `focusPolicy` names the policy compared with the others.
 * @param focusPolicy @default "prescale"
 */
export function buildSummary(report: BacktestReport, focusPolicy = 'prescale'): ReportSummary {
  const s = report.scenario;
  const span = (s.endSec - s.startSec) / 86_400;
  const coveredDays = span > 0 ? span : s.days;
  const focus = report.policies.find((p) => p.policy === focusPolicy) ?? null;
  if (!focus) return { focus: null, coveredDays, comparisons: [] };
  const comparisons = report.policies.filter((p) => p !== focus).map((p) => {
    const perDay = coveredDays > 0 ? (p.cost.totalUsd - focus.cost.totalUsd) / coveredDays : 0;
    return {
      policy: p.policy,
      costRatio: p.cost.totalUsd > 0 ? focus.cost.totalUsd / p.cost.totalUsd : null,
      savedUsdPerDay: perDay,
      savedUsdPerMonth: perDay * DAYS_PER_MONTH,
      p95WaitSec: p.stepWait.p95Sec,
    };
  });
  return { focus, coveredDays, comparisons };
}

/**
 * "$1,234.56" (2 decimals, thousands separators; "−$3.20" for negatives). A non-zero amount under
 * a cent keeps two significant digits ("$0.0042"), so no figure reads $0.00 unless it is zero.
 */
export function formatUsd(x: number): string {
  const abs = Math.abs(x);
  if (abs > 0 && abs < 0.005) return `${x < 0 ? '−' : ''}$${Number(abs.toPrecision(2))}`;
  const [int, dec] = abs.toFixed(2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${x < 0 && abs >= 0.005 ? '−' : ''}$${grouped}.${dec}`;
}

/** Seconds in words: "0 s", "42 s", "3.5 min", "2.1 h". */
export function formatSec(sec: number): string {
  if (sec < 90) return `${Number(sec.toFixed(sec < 10 ? 1 : 0))} s`;
  if (sec < 5400) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

/**
 * The assumptions sorted into the three groups the summary names (prices, lead times, interruption
 * hazards) and the rest, by keywords (prices/billing; "launch lead time" or "lead time is/(";
 * hazard/Poisson/Spot Advisor); an assumption lands in the first group it matches.
 */
export function groupAssumptions(assumptions: readonly string[]): { prices: string[]; leadTimes: string[]; hazards: string[]; other: string[] } {
  const out = { prices: [] as string[], leadTimes: [] as string[], hazards: [] as string[], other: [] as string[] };
  for (const a of assumptions) {
    const l = a.toLowerCase();
    if (/\bprices?\b|pricing|billing|billed/.test(l)) out.prices.push(a);
    else if (/launch lead time|lead times? \(|lead times? (is|are)\b/.test(l)) out.leadTimes.push(a);
    else if (/hazard|poisson|interruption (rate|frequency)|spot advisor/.test(l)) out.hazards.push(a);
    else out.other.push(a);
  }
  return out;
}
