/**
 * HTML of the report's first screen: the verdict sentences and cards, the settings to deploy per
 * pool (CDK config keys), and the scaling and policy settings the run used. Every value is escaped.
 * Pure.
 */
import type { BacktestReport } from '../types.js';
import { configJson, type Verdict } from '../verdict.js';
import { esc } from './page-parts.js';

/** The verdict: one sentence per question, then the four cards. */
export function verdictSection(v: Verdict): string {
  const items = v.sentences.map((x) => `<li data-question="${esc(x.id)}">${esc(x.text)}</li>`).join('\n');
  const cards = v.cards.map((c) => `<section class="card${c.better === true ? ' good' : c.better === false ? ' bad' : ''}" data-card="${esc(c.id)}">
<h3>${esc(c.label)}</h3>
<p class="big">${esc(c.value)}</p>
<p class="sub">${esc(c.detail)}</p>
</section>`).join('\n');
  return `<section id="verdict" aria-labelledby="verdict-h">
<h2 id="verdict-h">Verdict: ${esc(v.focus)}${v.baseline ? ` against your current policy (${esc(v.baseline)})` : ''}</h2>
<ul class="verdict">
${items}
</ul>
<div class="cards">
${cards}
</div>
<p class="fine">Per month = cost over the ${v.coveredDays.toFixed(2)} simulated days (run plus drain) / days × 30.44. Unmet demand is metric demand no ready capacity served.</p>
</section>`;
}

/** The settings to deploy, per pool, as `controller.pools[]` / `controller.demandSignals[]` JSON. */
export function recommendationSection(v: Verdict): string {
  if (v.recommendations.length === 0) return '';
  const pools = v.recommendations.map((r) => `<div class="recommendation" data-pool="${esc(r.poolId)}">
<h3>Pool ${esc(r.poolId)}</h3>
<p>${esc(r.evidence)}</p>
<pre><code>${esc(configJson(r))}</code></pre>
</div>`).join('\n');
  return `<section id="recommendation" aria-labelledby="recommendation-h">
<h2 id="recommendation-h">Recommendation: the settings to deploy</h2>
<p class="fine">Each pool as ${esc(v.focus)} ran it, in the keys of <code>controller</code> in cdk/config/prescale.config.example.json (merge into your config; launch templates and series stay yours).</p>
<div class="recommendations">
${pools}
</div>
</section>`;
}

/** The scaling and policy settings the run used, with their sources. */
export function settingsSection(report: BacktestReport): string {
  const st = report.scenario.settings ?? [];
  if (st.length === 0) return '';
  const rows = st.map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(x.value)}</td><td>${esc(x.source)}</td></tr>`).join('\n');
  return `<section id="settings" aria-labelledby="settings-h">
<h2 id="settings-h">Scaling and policy used</h2>
<table class="settings"><thead><tr><th scope="col">setting</th><th scope="col">value</th><th scope="col">from</th></tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
}

/** One header line: how the metric was scaled and which policy replays the user's. */
export function scalingLine(report: BacktestReport): string {
  const st = report.scenario.settings ?? [];
  const metric = st.filter((x) => x.name.startsWith('metric per vCPU'));
  if (metric.length === 0) return 'Scaling: not recorded in report.json.';
  const first = metric[0];
  const more = metric.length > 1 ? ` (and ${metric.length - 1} more series)` : '';
  const defaulted = metric.some((x) => x.source.startsWith('default'));
  return `Scaling used: ${esc(first.name)} = <strong>${esc(first.value)}</strong>${esc(more)}, from ${esc(first.source)}${defaulted ? ' <strong class="warn">— not your fleet\'s scale: pass --metric-per-vcpu or --policies-json</strong>' : ''}. <a href="#settings">All settings</a>.`;
}
