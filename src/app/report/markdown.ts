/**
 * `report.md`: the comparison table per policy and the assumptions, from a {@link BacktestReport}.
 */
import type { BacktestReport, PolicyReport } from './types.js';
import { buildVerdict, configJson } from './verdict.js';
import { abTestSection, bundleSection, calibrationSection } from './calibration-markdown.js';

const usd = (x: number): string => `$${x.toFixed(2)}`;

/** The comparison table (cost, ratio to oracle, p95 wait, unmet demand...), markdown. */
export function comparisonTable(report: BacktestReport): string {
  const head = '| policy | cost (USD) | spot / on-demand / cache (USD) | × oracle | step wait p50 / p95 / p99 (s) | chain makespan p50 / p95 (s) | unmet demand (unit-s) | idle (unit-h) | spot interruptions | forecast error | next-step hit rate |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const line = (p: PolicyReport): string =>
    `| ${p.policy} | ${usd(p.cost.totalUsd)} | ${usd(p.cost.spotUsd)} / ${usd(p.cost.onDemandUsd)} / ${usd(p.cost.cacheUsd)} | ${p.costRatioToOracle === null ? 'n/a' : p.costRatioToOracle.toFixed(2)} | ${p.stepWait.p50Sec} / ${p.stepWait.p95Sec} / ${p.stepWait.p99Sec} | ${p.chainMakespan.p50Sec} / ${p.chainMakespan.p95Sec} | ${p.unmetDemandUnitSec.toFixed(0)} | ${p.idleUnitHours.toFixed(1)} | ${p.spotInterruptions} | ${p.forecastError ? `${p.forecastError.metric} ${p.forecastError.value.toFixed(1)}%` : 'n/a'} | ${p.nextStep ? `${(p.nextStep.hitRate * 100).toFixed(1)}% (${p.nextStep.predictions})` : 'n/a'} |`;
  return [head, ...report.policies.map(line)].join('\n');
}

/** Cost and capacity per EC2 pool and policy (no table when no policy recorded pools). */
export function poolTable(report: BacktestReport): string {
  const rows = report.policies.flatMap((p) => (p.pools ?? []).map((x) =>
    `| ${p.policy} | ${x.poolId} | ${usd(x.ec2CostUsd)} | ${x.costRatioToOracle === null ? 'n/a' : x.costRatioToOracle.toFixed(2)} | ${x.demandAvgUnits.toFixed(2)} | ${x.readyAvgUnits.toFixed(2)} | ${x.idleUnitHours.toFixed(1)} | ${x.unmetDemandUnitSec.toFixed(0)} | ${(100 * x.metricShortShare).toFixed(2)} |`));
  if (rows.length === 0) return 'No per-pool figures were recorded.';
  return ['| policy | pool | EC2 cost (USD) | × oracle\'s pool | demand avg (units) | ready avg (units) | idle (unit-h) | unmet demand (unit-s) | ticks short (%) |', '|---|---|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

function prefetchTable(report: BacktestReport): string {
  const rows = report.policies.map((p) => (p.prefetch
    ? `| ${p.policy} | ${p.prefetch.preparations} | ${p.prefetch.hits} | ${p.prefetch.aborted ?? '-'} | ${p.prefetch.expired ?? '-'} | ${p.prefetch.evicted ?? '-'} | ${p.prefetch.setupSecSaved.toFixed(0)} | ${p.prefetch.wastedCpuSec.toFixed(0)} | ${usd4(p.prefetch.wastedUsd)} |`
    : `| ${p.policy} | no prefetch | | | | | | | |`));
  return ['| policy | preparations | hits | aborted | expired | evicted | setup saved (s) | wasted CPU (s) | wasted (USD) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

const usd4 = (x: number): string => `$${x.toFixed(4)}`;
const counts = (r: Readonly<Record<string, number>> | undefined): string => Object.entries(r ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || '-';

/** Variant choices and switches per policy (issue 4). */
export function variantsTable(report: BacktestReport): string {
  const rows = report.policies.map((p) => (p.variants
    ? `| ${p.policy} | ${counts(p.variants.choices)} | ${p.variants.switches} | ${counts(p.variants.switchReasons)} | ${counts(p.variants.switchPaths)} | ${p.variants.fallbacks ?? '-'} | ${p.variants.chainsDenied ?? '-'} |`
    : `| ${p.policy} | not composed | | | | | |`));
  return ['| policy | chains per workflow/variant | switches | switch reasons | switch paths | fallbacks | chains denied |', '|---|---|---:|---|---|---:|---:|', ...rows].join('\n');
}

/** Chains and cost per principal and per workflow, per policy. */
export function attributionTable(report: BacktestReport): string {
  const rows: string[] = [];
  for (const p of report.policies) {
    if (!p.attribution) continue;
    for (const [k, a] of Object.entries(p.attribution.byPrincipal)) rows.push(`| ${p.policy} | principal | ${k} | ${a.chains} | ${usd4(a.costUsd)} |`);
    for (const [k, a] of Object.entries(p.attribution.byWorkflow)) rows.push(`| ${p.policy} | workflow | ${k} | ${a.chains} | ${usd4(a.costUsd)} |`);
  }
  if (rows.length === 0) return 'No chains.';
  return ['| policy | by | name | chains | task cost (USD) |', '|---|---|---|---:|---:|', ...rows].join('\n');
}

/** The whole report.md. */
export function reportMarkdown(report: BacktestReport): string {
  const s = report.scenario;
  const start = new Date(s.startSec * 1000).toISOString();
  const work = report.policies.map((p) => `| ${p.policy} | ${p.chainsCompleted}/${p.chainsSubmitted} | ${p.tasksCompleted}/${p.tasksSubmitted} | ${p.tasksRequeued} | ${p.launches} | ${p.terminations} | ${Object.entries(p.decisionCounts).map(([k, v]) => `${k} ${v}`).join(', ') || '-'} |`);
  const v = buildVerdict(report);
  const settings = (s.settings ?? []).map((x) => `| ${x.name} | ${x.value} | ${x.source} |`);
  return [
    `# Backtest: ${s.name}`,
    '',
    `## Verdict: ${v.focus}${v.baseline ? ` against your current policy (${v.baseline})` : ''}`,
    '',
    ...v.sentences.map((x) => `- ${x.text}`),
    '',
    ...v.cards.map((c) => `**${c.label}**: ${c.value} (${c.detail}).  `),
    '',
    ...(settings.length ? ['## Scaling and policy used', '', '| setting | value | from |', '|---|---|---|', ...settings, ''] : []),
    ...(v.recommendations.length ? ['## Recommendation: the settings to deploy', '', `Each pool as ${v.focus} ran it, in the keys of \`controller\` in cdk/config/prescale.config.example.json.`, '',
      ...v.recommendations.flatMap((r) => [`### Pool ${r.poolId}`, '', r.evidence, '', '```json', configJson(r), '```', ''])] : []),
    `Seed ${s.seed}, ${s.days} simulated day(s) from ${start}, tick ${s.tickSec} s; pools ${s.pools.join(', ')}; series ${s.series.join(', ') || 'none'}; workflows ${s.workflows.join(', ') || 'none'}.`,
    `Sources: ${s.sources.join(', ')}.`,
    '',
    '## Comparison',
    '',
    comparisonTable(report),
    '',
    'Forecast error is sMAPE (symmetric mean absolute percentage error, 0–200%) of the mean forecast over the first hour after each forecast origin. Step wait is the time a task waited for capacity after its dependencies finished.',
    '',
    '## Cost by pool',
    '',
    poolTable(report),
    '',
    'EC2 cost of each pool\'s instances (spot and on-demand; the prefetch state cache is the comparison\'s "cache" cost, in no pool), against the oracle\'s cost for the same pool. Demand is the metric demand plus the vCPU of running and queued steps; ready is the capacity running and booted.',
    '',
    '## Work',
    '',
    '| policy | chains done | tasks done | tasks re-queued | launches | terminations | decisions |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...work,
    '',
    '## Speculative pre-execution',
    '',
    prefetchTable(report),
    '',
    'Setup saved is the setup time prepared steps skipped (their latency saving); evicted states left a full state cache before their step started (the step ran cold); wasted is the CPU of aborted, evicted and unused preparations plus the cache memory they held.',
    '',
    ...calibrationSection(report),
    ...bundleSection(report),
    ...abTestSection(report),
    '## Workflow variants',
    '',
    variantsTable(report),
    '',
    '## Cost attribution',
    '',
    attributionTable(report),
    '',
    '## Assumptions',
    '',
    ...report.assumptions.map((a) => `- ${a}`),
    '',
  ].join('\n');
}
