/**
 * `prescale backtest --ab [FILE]` (issue 22): an A/B test of prefetch configurations inside the
 * prescale policy of the backtest, on the user's own scenario. FILE holds the controller config's
 * `prefetch.abTest` section (arms with top-N, probability threshold, worker-pool size, bundles and
 * model; the control; the salt); without FILE a control and a wider challenger are compared. The
 * arms' figures go to report.json, report.md and report.html; the winner is printed.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/model/errors.js';
import { AbTestConfigSchema } from '../../core/model/learning-config.js';
import type { z } from 'zod';
import type { AbTestSummary, BacktestReport } from '../../app/report/types.js';

/** The arms `--ab` compares without a file: the controller's settings against a wider challenger. */
export const DEFAULT_AB_TEST: z.input<typeof AbTestConfigSchema> = {
  arms: [
    { name: 'control' },
    { name: 'wide', topN: 3, probabilityThreshold: 0.2, maxConcurrent: 16 },
  ],
  control: 'control',
};

/**
 * The A/B settings of the `--ab` flag: `true` (no file) gives {@link DEFAULT_AB_TEST}; a path is read
 * as JSON, either the `abTest` object itself or a controller config with `prefetch.abTest`.
 * @throws InputError naming `--ab`, the file and what was expected
 */
export async function abTestFromFlag(v: string | boolean | undefined): Promise<z.input<typeof AbTestConfigSchema> | undefined> {
  if (v === undefined || v === false) return undefined;
  if (v === true) return DEFAULT_AB_TEST;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(v, 'utf8'));
  } catch (e) {
    throw new InputError({ file: v, field: '--ab' }, e instanceof SyntaxError ? e.message : 'an unreadable file', 'a readable JSON file with the A/B arms');
  }
  const section = (json as { prefetch?: { abTest?: unknown } } | null)?.prefetch?.abTest ?? json;
  const parsed = AbTestConfigSchema.safeParse(section);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InputError({ file: v, field: `--ab ${i.path.join('.') || '(root)'}` }, section, `{ "arms": [{ "name", "weight"?, "topN"?, "probabilityThreshold"?, "maxConcurrent"?, "bundles"?, "model"?: { "kind"?, "maxOrder"?, "feedback"? } }, ...2 to 8], "control"?, "salt"? } (${i.message})`);
  }
  return section as z.input<typeof AbTestConfigSchema>;
}

/** One line: the winner and its confidence, or that no arm beat the control. */
export function abVerdictLine(a: AbTestSummary): string {
  return a.winner.confidence !== null
    ? `A/B winner: ${a.winner.arm} with confidence ${(100 * a.winner.confidence).toFixed(1)} % (${a.winner.reason})`
    : `A/B winner: none; the control arm ${a.control} stays (${a.winner.reason})`;
}

/** The A/B result printed after a backtest: a table per arm, the tests used and the winner. */
export function abTestText(report: BacktestReport): string {
  const out: string[] = [];
  const pv = (x: number | null): string => (x === null ? '-' : x < 0.0001 ? '<0.0001' : x.toFixed(4));
  for (const p of report.policies) {
    const a = p.abTest;
    if (!a) continue;
    out.push(`A/B test of prefetch configurations (${p.policy}); tests: ${a.tests}`);
    out.push(`${'arm'.padEnd(18)} ${'chains'.padStart(6)} ${'preps'.padStart(6)} ${'hit rate'.padStart(8)} ${'p(z)'.padStart(8)} ${'saved s'.padStart(9)} ${'waste CPU s'.padStart(11)} ${'waste USD'.padStart(10)} ${'lat mean s'.padStart(10)} ${'p(Welch)'.padStart(8)}`);
    for (const x of a.arms) {
      out.push(`${`${x.name}${x.name === a.control ? '*' : ''}`.padEnd(18)} ${String(x.chains).padStart(6)} ${String(x.preparations).padStart(6)} ${`${(100 * x.hitRate).toFixed(1)}%`.padStart(8)} ${pv(x.hitRatePValue).padStart(8)} ${x.setupSecSaved.toFixed(0).padStart(9)} ${x.wastedCpuSec.toFixed(0).padStart(11)} ${x.wastedUsd.toFixed(4).padStart(10)} ${x.latencySec.mean.toFixed(1).padStart(10)} ${pv(x.latencyPValue).padStart(8)}`);
    }
    out.push(`(* control)`);
    const empty = a.arms.filter((x) => x.chains === 0).map((x) => x.name);
    if (empty.length > 0) out.push(`note: no chain was assigned to ${empty.join(', ')}: arms are drawn per principal (hash of salt:principal), and this scenario has too few principals for every arm; change "salt" or the weights, or use fewer arms`);
    out.push(abVerdictLine(a));
  }
  return out.join('\n');
}
