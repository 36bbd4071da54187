/**
 * HTML fragments of the report page: escaping, the sortable table, the summary cards, the
 * assumptions and the attribution table. Every value is escaped; nothing is fetched. Pure.
 */
import type { BacktestReport } from '../types.js';
import type { AttributionRow } from './extras.js';
import { policyStyle } from './palette.js';
import { formatSec, formatUsd, groupAssumptions, type ReportSummary } from './summary.js';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A table cell: shown text, and the value it sorts by (numbers sort numerically). */
export interface Cell {
  readonly text: string;
  readonly sort?: number | string;
  /** Extra HTML placed before the text (already escaped), e.g. a legend swatch. */
  readonly prefixHtml?: string;
}

/** A column: header text and whether it holds numbers (right-aligned, numeric sort). */
export interface Column {
  readonly label: string;
  readonly numeric?: boolean;
  readonly title?: string;
}

/**
 * A table whose headers are buttons that sort it (the page's inline script); `aria-sort` tells
 * screen readers the current order.
 */
export function sortableTable(id: string, caption: string, columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const head = columns.map((c, i) => `<th scope="col"${c.numeric ? ' class="num"' : ''} data-col="${i}"${c.numeric ? ' data-type="num"' : ''} aria-sort="none"${c.title ? ` title="${esc(c.title)}"` : ''}><button type="button">${esc(c.label)}<span class="arrow" aria-hidden="true"></span></button></th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell, i) => {
    const sort = cell.sort === undefined ? '' : ` data-sort="${esc(String(cell.sort))}"`;
    return `<td${columns[i]?.numeric ? ' class="num"' : ''}${sort}>${cell.prefixHtml ?? ''}${esc(cell.text)}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<table class="sortable" id="${esc(id)}"><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A small coloured line sample in a policy's colour and dash (for tables). */
export function swatch(policy: string, all: readonly string[]): string {
  const s = policyStyle(policy, all);
  const dash = s.dash === 'solid' ? '' : s.dash === 'dashed' ? ' stroke-dasharray="6,3"' : s.dash === 'dotted' ? ' stroke-dasharray="2,2"' : ` stroke-dasharray="${s.dash.join(',')}"`;
  return `<svg class="swatch" width="26" height="10" viewBox="0 0 26 10" aria-hidden="true"><line x1="1" y1="5" x2="25" y2="5" stroke="${s.color}" stroke-width="2.5"${dash}/></svg>`;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** The summary cards: prescale's cost relative to each policy and what the difference is worth. */
export function summaryCards(summary: ReportSummary, report: BacktestReport): string {
  if (!summary.focus) {
    return `<p class="note">This report has no policy named "prescale", so there is nothing to compare it with; the policies' own figures are in the table below.</p>`;
  }
  const f = summary.focus;
  const all = report.policies.map((p) => p.policy);
  const cards = summary.comparisons.map((c) => {
    const cheaper = c.costRatio !== null && c.costRatio < 1;
    const ratio = c.costRatio === null ? 'n/a' : `${c.costRatio.toFixed(2)}×`;
    const oracle = c.policy === 'oracle';
    const verdict = c.costRatio === null ? 'this policy cost nothing'
      : oracle ? `${c.costRatio === 1 ? 'the same as' : `${pct(Math.abs(c.costRatio - 1))} ${c.costRatio > 1 ? 'above' : 'below'}`} the lower bound`
        : cheaper ? `${pct(1 - c.costRatio)} cheaper` : `${pct(c.costRatio - 1)} more expensive`;
    const money = oracle
      ? `<p class="money">Gap to the oracle: <strong>${formatUsd(-c.savedUsdPerDay)}</strong>/day</p>`
      : `<p class="money">${c.savedUsdPerDay >= 0 ? 'Saves' : 'Costs'} <strong>${formatUsd(Math.abs(c.savedUsdPerDay))}</strong>/day · <strong>${formatUsd(Math.abs(c.savedUsdPerMonth))}</strong>/month ${c.savedUsdPerDay >= 0 ? '' : 'more '}at this rate</p>`;
    return `<section class="card${oracle ? ' oracle' : cheaper ? ' good' : ' bad'}" data-policy="${esc(c.policy)}">
<h3>${swatch(c.policy, all)} vs ${esc(c.policy)}</h3>
<p class="big">${ratio} <span class="sub">the cost</span></p>
<p class="verdict">${esc(verdict)}</p>
${money}
<p class="wait">p95 wait ${esc(formatSec(f.stepWait.p95Sec))} vs ${esc(formatSec(c.p95WaitSec))}</p>
</section>`;
  });
  return `<div class="cards">
<section class="card focus"><h3>${swatch(f.policy, all)} ${esc(f.policy)}</h3>
<p class="big">${esc(formatUsd(f.cost.totalUsd))} <span class="sub">over ${summary.coveredDays.toFixed(summary.coveredDays < 10 ? 2 : 1)} days</span></p>
<p class="money">${esc(formatUsd(f.cost.totalUsd / Math.max(summary.coveredDays, 1e-9)))}/day · ${pct(f.cost.totalUsd > 0 ? f.cost.spotUsd / f.cost.totalUsd : 0)} spot</p>
<p class="wait">p95 wait for capacity ${esc(formatSec(f.stepWait.p95Sec))} (p99 ${esc(formatSec(f.stepWait.p99Sec))})</p></section>
${cards.join('\n')}
</div>
<p class="fine">Ratios are ${esc(f.policy)}'s total cost divided by the other policy's over the same simulated ${summary.coveredDays.toFixed(2)} days (run plus drain); per day = cost difference / days; per month = per day × 30.44.</p>`;
}

/** The assumptions, grouped: prices and billing, lead times, interruption hazards, the rest. */
export function assumptionsBlock(report: BacktestReport): string {
  const g = groupAssumptions(report.assumptions);
  const list = (items: string[], empty: string): string => (items.length ? `<ul>${items.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : `<p class="note">${esc(empty)}</p>`);
  const s = report.scenario;
  return `<div class="assumptions">
<div><h3>Prices and billing</h3>${list(g.prices, 'report.json states no price assumption.')}
${g.prices.some((a) => /\b(19|20)\d\d\b/.test(a)) ? '' : '<p class="note">report.json does not record the date of the price snapshot the run used.</p>'}
<p class="fine">Inputs: ${esc(s.sources.join('; ') || 'not recorded')}.</p></div>
<div><h3>Lead times</h3>${list(g.leadTimes, 'report.json states no lead-time assumption.')}
<h3>Interruption hazards</h3>${list(g.hazards, 'report.json states no interruption assumption.')}</div>
${g.other.length ? `<div class="other"><h3>Other</h3>${list(g.other, '')}</div>` : ''}
</div>`;
}

/** The attribution table (per policy × principal × workflow), or a note when attribution.csv is absent. */
export function attributionBlock(rows: readonly AttributionRow[] | undefined, policies: readonly string[]): string {
  if (!rows || rows.length === 0) {
    return `<p class="note missing" data-missing="attribution">${rows ? 'attribution.csv has no rows' : 'attribution.csv is absent'}: cost per principal and workflow needs it (columns policy,principal,workflow,chains,cost_usd).</p>`;
  }
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.policy, (totals.get(r.policy) ?? 0) + r.cost_usd);
  const sorted = [...rows].sort((a, b) => b.cost_usd - a.cost_usd || (a.policy < b.policy ? -1 : 1));
  const cols: Column[] = [
    { label: 'policy' }, { label: 'principal' }, { label: 'workflow' }, { label: 'chains', numeric: true },
    { label: 'cost (USD)', numeric: true }, { label: 'USD per 1,000 chains', numeric: true }, { label: 'share of policy', numeric: true, title: 'share of the policy\'s attributed cost' },
  ];
  const body = sorted.map((r): Cell[] => {
    const share = (totals.get(r.policy) ?? 0) > 0 ? r.cost_usd / totals.get(r.policy)! : 0;
    return [
      { text: r.policy, prefixHtml: swatch(r.policy, policies) }, { text: r.principal }, { text: r.workflow },
      { text: String(r.chains), sort: r.chains }, { text: formatUsd(r.cost_usd), sort: r.cost_usd },
      { text: r.chains > 0 ? formatUsd((1000 * r.cost_usd) / r.chains) : 'n/a', sort: r.chains > 0 ? r.cost_usd / r.chains : -1 },
      { text: `${(share * 100).toFixed(1)}%`, sort: share },
    ];
  });
  return sortableTable('attribution', 'Cost per principal and workflow (click a header to sort)', cols, body);
}
