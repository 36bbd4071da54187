/**
 * The verdict a FinOps engineer reads first, from a {@link BacktestReport}: one sentence per question
 * (how much cheaper than my current policy, per month; how much more or less waiting; how much unmet
 * demand; what mix of instance types and markets; how much spot risk, with the interruptions
 * survived), the four headline figures, and the settings to deploy per pool in the CDK config's keys
 * (`controller.pools[]`, `controller.demandSignals[]` of cdk/config/prescale.config.example.json).
 * Generic over the policies: the focus (prescale) is compared with the baseline that replays the
 * user's policy (`scenario.baseline`, else `reactive`, else the first other non-oracle policy). Pure;
 * report.html and report.md both use it, so they say the same.
 */
import type { BacktestReport, PolicyReport } from './types.js';

/** Average days per month (365.25 / 12). */
export const DAYS_PER_MONTH = 30.4375;

/** One verdict sentence. */
export interface VerdictSentence {
  readonly id: 'cost' | 'wait' | 'unmet' | 'mix' | 'spot';
  readonly text: string;
}

/** One headline figure. */
export interface VerdictCard {
  readonly id: 'cost' | 'wait' | 'unmet' | 'spot';
  readonly label: string;
  readonly value: string;
  readonly detail: string;
  /** Whether the focus policy does better than the baseline on it (null: no baseline or no difference). */
  readonly better: boolean | null;
}

/** The settings to deploy for one pool. */
export interface PoolRecommendation {
  readonly poolId: string;
  /** The pool's `controller.pools[]` entry as simulated. */
  readonly pool: Readonly<Record<string, unknown>>;
  /** Its `controller.demandSignals[]` entries. */
  readonly demandSignals: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** What the backtest saw in this pool, in words. */
  readonly evidence: string;
}

/** The whole verdict. */
export interface Verdict {
  readonly focus: string;
  readonly baseline: string | null;
  /** Days the costs cover (run plus drain). */
  readonly coveredDays: number;
  readonly sentences: readonly VerdictSentence[];
  readonly cards: readonly VerdictCard[];
  readonly recommendations: readonly PoolRecommendation[];
}

/** "$1,234.56"; amounts under $10 keep 3 significant digits so nothing reads $0.00 ("$0.0042"). */
export function usd(x: number): string {
  const abs = Math.abs(x);
  const sign = x < 0 && abs > 0 ? '−' : '';
  if (abs > 0 && abs < 0.995) return `${sign}$${Number(abs.toPrecision(3))}`;
  const [int, dec] = abs.toFixed(2).split('.');
  return `${sign}$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/** Seconds in words: "0 s", "42 s", "3.5 min", "2.1 h". */
export function seconds(sec: number): string {
  if (sec < 90) return `${Number(sec.toFixed(sec < 10 ? 1 : 0))} s`;
  if (sec < 5400) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

const pct = (x: number, digits = 0): string => `${(x * 100).toFixed(digits)}%`;
function vcpuHours(unitSec: number): string {
  const h = Number((unitSec / 3600).toPrecision(3));
  return `${h.toLocaleString('en-US')} vCPU-hour${h === 1 ? '' : 's'}`;
}

/** Days the report's costs cover: (endSec − startSec) / 86 400, or scenario.days. */
export function coveredDaysOf(report: BacktestReport): number {
  const span = (report.scenario.endSec - report.scenario.startSec) / 86_400;
  return span > 0 ? span : report.scenario.days;
}

/** The policy the verdict compares with: the scenario's baseline, reactive, or the first other real policy. */
export function baselineOf(report: BacktestReport, focus: string): PolicyReport | undefined {
  const others = report.policies.filter((p) => p.policy !== focus && p.policy !== 'oracle');
  return others.find((p) => p.policy === report.scenario.baseline) ?? others.find((p) => p.policy === 'reactive') ?? others[0];
}

/** Spot share of held capacity (instance mix), else of EC2 cost. */
export function spotShare(p: PolicyReport): number {
  const mix = p.instanceMix ?? [];
  const total = mix.reduce((s, m) => s + m.unitHours, 0);
  if (total > 0) return mix.filter((m) => m.market === 'spot').reduce((s, m) => s + m.unitHours, 0) / total;
  const ec2 = p.cost.spotUsd + p.cost.onDemandUsd;
  return ec2 > 0 ? p.cost.spotUsd / ec2 : 0;
}

/** Total demand (metric plus task vCPU) over the run, unit-seconds, from the pools' mean demand. */
function demandUnitSec(report: BacktestReport, p: PolicyReport): number {
  const runSec = report.scenario.days * 86_400;
  return (p.pools ?? []).reduce((s, x) => s + x.demandAvgUnits, 0) * runSec;
}

function monthly(p: PolicyReport, days: number): number {
  return days > 0 ? (p.cost.totalUsd / days) * DAYS_PER_MONTH : 0;
}

function mixWords(p: PolicyReport): string {
  const mix = p.instanceMix ?? [];
  if (mix.length === 0) return '';
  const pools = [...new Set(mix.map((m) => m.poolId))];
  return pools.map((pool) => {
    const top = mix.filter((m) => m.poolId === pool).slice(0, 3).map((m) => `${m.instanceType} ${m.market} ${pct(m.share)}`);
    return `${pool}: ${top.join(', ')}`;
  }).join('; ');
}

/**
 * Builds the verdict.
 * @param focusPolicy the policy the report is about @default "prescale" (else the first policy)
 */
export function buildVerdict(report: BacktestReport, focusPolicy = 'prescale'): Verdict {
  const f = report.policies.find((p) => p.policy === focusPolicy) ?? report.policies[0];
  const b = baselineOf(report, f.policy);
  const oracle = report.policies.find((p) => p.policy === 'oracle' && p !== f);
  const days = coveredDaysOf(report);
  const fm = monthly(f, days);
  const sentences: VerdictSentence[] = [];
  const cards: VerdictCard[] = [];
  const yours = b ? `your current policy (replayed as ${b.policy})` : '';
  if (b) {
    const bm = monthly(b, days);
    const diff = bm - fm;
    const rel = bm > 0 ? Math.abs(diff) / bm : 0;
    sentences.push({ id: 'cost', text: diff >= 0
      ? `${f.policy} would cost ${usd(fm)} a month, ${pct(rel, 1)} less than ${yours} at ${usd(bm)}: ${usd(diff)} saved a month.`
      : `${f.policy} would cost ${usd(fm)} a month, ${pct(rel, 1)} more than ${yours} at ${usd(bm)}: ${usd(-diff)} more a month.` });
    const dw = f.stepWait.p95Sec - b.stepWait.p95Sec;
    sentences.push({ id: 'wait', text: f.stepWait.count === 0 && b.stepWait.count === 0
      ? 'No workflow step ran, so neither policy made a step wait for capacity.'
      : `Steps would wait ${seconds(f.stepWait.p95Sec)} at the 95th percentile for capacity (p99 ${seconds(f.stepWait.p99Sec)}), against ${seconds(b.stepWait.p95Sec)} with ${b.policy}: ${Math.abs(dw) < 0.05 ? 'no difference' : `${seconds(Math.abs(dw))} ${dw < 0 ? 'less' : 'more'} waiting`}.` });
    const demand = demandUnitSec(report, f);
    const share = demand > 0 ? ` (${pct(f.unmetDemandUnitSec / demand, 2)} of all demand)` : '';
    sentences.push({ id: 'unmet', text: `Demand left unserved: ${vcpuHours(f.unmetDemandUnitSec)}${share}, against ${vcpuHours(b.unmetDemandUnitSec)} with ${b.policy}${oracle ? ` and ${vcpuHours(oracle.unmetDemandUnitSec)} with the oracle` : ''}${f.unmetDemandUnitSec > b.unmetDemandUnitSec ? `: ${f.policy} leaves more unmet` : ''}.` });
    cards.push(
      { id: 'cost', label: 'Cost per month', value: usd(fm), detail: `${diff >= 0 ? `${usd(diff)} less` : `${usd(-diff)} more`} than ${b.policy} (${usd(bm)})`, better: diff === 0 ? null : diff > 0 },
      { id: 'wait', label: 'p95 wait for capacity', value: seconds(f.stepWait.p95Sec), detail: `${b.policy}: ${seconds(b.stepWait.p95Sec)}`, better: dw === 0 ? null : dw < 0 },
      { id: 'unmet', label: 'Unmet demand', value: vcpuHours(f.unmetDemandUnitSec), detail: `${b.policy}: ${vcpuHours(b.unmetDemandUnitSec)}`, better: f.unmetDemandUnitSec === b.unmetDemandUnitSec ? null : f.unmetDemandUnitSec < b.unmetDemandUnitSec },
    );
  } else {
    sentences.push({ id: 'cost', text: `${f.policy} would cost ${usd(fm)} a month; the report has no other policy to compare with.` });
    cards.push(
      { id: 'cost', label: 'Cost per month', value: usd(fm), detail: `${usd(f.cost.totalUsd)} over ${days.toFixed(2)} days`, better: null },
      { id: 'wait', label: 'p95 wait for capacity', value: seconds(f.stepWait.p95Sec), detail: `p99 ${seconds(f.stepWait.p99Sec)}`, better: null },
      { id: 'unmet', label: 'Unmet demand', value: vcpuHours(f.unmetDemandUnitSec), detail: 'metric demand not served', better: null },
    );
  }
  const ss = spotShare(f);
  const mix = mixWords(f);
  sentences.push({ id: 'mix', text: `It would run ${pct(ss)} of its capacity on spot and ${pct(1 - ss)} on on-demand${mix ? `; by pool, ${mix}` : ''}${b ? ` (${b.policy}: ${pct(spotShare(b))} spot)` : ''}.` });
  const allDone = f.chainsCompleted === f.chainsSubmitted;
  sentences.push({ id: 'spot', text: f.spotInterruptions === 0
    ? `Spot risk: no spot instance was reclaimed in this run${b ? ` (${b.policy}: ${b.spotInterruptions})` : ''}, at the Spot Advisor's interruption rates.`
    : `Spot risk: ${f.spotInterruptions} spot interruption${f.spotInterruptions === 1 ? '' : 's'} survived${b ? ` (${b.policy}: ${b.spotInterruptions})` : ''}: ${f.tasksRequeued} running step${f.tasksRequeued === 1 ? '' : 's'} re-run elsewhere, ${allDone ? `every one of ${f.chainsSubmitted} chains completed` : `${f.chainsCompleted} of ${f.chainsSubmitted} chains completed`}.` });
  cards.push({ id: 'spot', label: 'Spot share', value: pct(ss), detail: `${f.spotInterruptions} interruption${f.spotInterruptions === 1 ? '' : 's'} survived, ${f.tasksRequeued} step${f.tasksRequeued === 1 ? '' : 's'} re-run`, better: null });
  return { focus: f.policy, baseline: b?.policy ?? null, coveredDays: days, sentences, cards, recommendations: recommendations(report, f) };
}

/** A recommendation as JSON text: two-space indents, arrays of plain values on one line. */
export function configJson(r: PoolRecommendation): string {
  const text = JSON.stringify({ pools: [r.pool], ...(r.demandSignals.length ? { demandSignals: r.demandSignals } : {}) }, null, 2);
  return text.replace(/\[\n\s+([^[\]{}]*?)\n\s*\]/g, (_m, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`);
}

/** Keys of a CDK `controller.pools[]` entry, in the example config's order. */
const POOL_KEYS = ['kind', 'id', 'availabilityZones', 'instanceRequirements', 'markets', 'minUnits', 'maxUnits', 'onDemandFloorUnits', 'onDemandFloorShare', 'serviceLevel', 'maxSpotSharePerOffering', 'minSpotOfferings', 'scaleInCooldownSec', 'maxChangeUnitsPerTick'];

function recommendations(report: BacktestReport, f: PolicyReport): PoolRecommendation[] {
  const cfg = report.scenario.config;
  if (!cfg) return [];
  return cfg.pools.map((raw) => {
    const pool: Record<string, unknown> = {};
    for (const k of POOL_KEYS) if (raw[k] !== undefined) pool[k] = raw[k];
    for (const k of Object.keys(raw).sort()) if (!(k in pool) && raw[k] !== undefined) pool[k] = raw[k];
    const id = String(raw.id);
    const ps = f.pools?.find((p) => p.poolId === id);
    const mix = (f.instanceMix ?? []).filter((m) => m.poolId === id).slice(0, 3).map((m) => `${m.instanceType} ${m.market} ${pct(m.share)}`).join(', ');
    const evidence = ps
      ? `With these settings ${f.policy} spent ${usd(ps.ec2CostUsd)} of EC2 here${ps.costRatioToOracle !== null ? ` (${ps.costRatioToOracle.toFixed(2)}× the oracle's)` : ''}, held ${ps.readyAvgUnits.toFixed(1)} vCPU ready on average for a demand of ${ps.demandAvgUnits.toFixed(1)}${mix ? `, on ${mix}` : ''}.`
      : `These are the settings ${f.policy} ran with.`;
    return { poolId: id, pool, demandSignals: cfg.demandSignals.filter((d) => d.poolId === id).map((d) => ({ ...d })), evidence };
  });
}
