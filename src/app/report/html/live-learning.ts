/**
 * The learning loop of a live deployment for its report (issue 22; `prescale export-report` and the
 * scheduled report writer): read from the tick memory the controller saves after every tick
 * (app/tick/state.ts `readSavedTickMemory`; in AWS the DynamoDB state table, in `prescale serve`
 * its SQLite store), where
 * - the next-step model's feedback loop (core/predict/feedback.ts) keeps its reliability trackers:
 *   the reliability curve per decile (mean predicted against the share that came true, with counts)
 *   of the raw and of the used probabilities, and the Brier score per hour;
 * - the tick's prediction scorer keeps the top-1 hit counts;
 * - the learning hooks' bundle outcome book (core/predict/bundle-outcomes.ts) keeps the outcomes of
 *   the commanded preparations, bundle members against single steps.
 * The figures are cumulative since the controller's model started (a restored memory carries them
 * on), up to the tick the memory was saved after; only the Brier buckets are cut to the report's
 * window. Pure.
 */
import { decodeValue } from '../../../core/tick/memory-codec.js';
import { FeedbackModel } from '../../../core/predict/feedback.js';
import { restoreNextStepModel } from '../../../core/predict/index.js';
import { bundleVsSingle, type OutcomeTotals } from '../../../core/predict/bundle-outcomes.js';
import { calibrationSummaryOf } from '../../history/calibration-report.js';
import type { BundleSummary, NextStepSummary, SelectionFigures } from '../types.js';

/** What a saved tick memory tells of the learning loop (each part absent when the memory lacks it). */
export interface LiveLearning {
  /** Epoch seconds of the tick the memory was saved after (null when unknown). */
  readonly asOfSec: number | null;
  /** Top-1 hit counts, with the calibration when the model has a feedback loop. */
  readonly nextStep?: NextStepSummary;
  /** Bundle members against single steps (absent in memories saved before these were kept). */
  readonly bundles?: BundleSummary;
}

const figures = (t: OutcomeTotals): SelectionFigures => ({
  settled: t.settled, hits: t.hits, hitRate: t.settled > 0 ? t.hits / t.settled : 0, setupSecSaved: t.savedSec, wastedCpuSec: t.wastedCpuSec,
  savedPerWastedCpuSec: t.wastedCpuSec > 0 ? t.savedSec / t.wastedCpuSec : null,
});

/**
 * The learning loop in a saved tick memory's text (`readSavedTickMemory`), Brier buckets cut to
 * `[fromSec, toSec)`.
 * @throws Error when the text is not a saved tick memory, or its model's state is malformed
 */
export function liveLearningOf(text: string, throughSec: number | null, fromSec: number, toSec: number): LiveLearning {
  const saved = JSON.parse(text) as { memory?: unknown } | null;
  if (!saved || typeof saved !== 'object' || saved.memory === undefined) throw new Error('not a saved tick memory');
  const parts = decodeValue(saved.memory) as {
    scorer?: { counter?: { predictions?: unknown; hits?: unknown } };
    nextStep?: { kind?: unknown };
    learning?: { outcomes?: { commanded?: unknown } };
  };
  const counter = parts.scorer?.counter;
  const predictions = typeof counter?.predictions === 'number' ? counter.predictions : 0;
  const hits = typeof counter?.hits === 'number' ? counter.hits : 0;
  let nextStep: NextStepSummary | undefined;
  if (parts.nextStep?.kind === 'feedback') {
    const c = calibrationSummaryOf(FeedbackModel.fromJSON(parts.nextStep, restoreNextStepModel).summary());
    nextStep = { predictions, hits, hitRate: predictions > 0 ? hits / predictions : 0, calibration: { ...c, brierOverTime: c.brierOverTime.filter((b) => b.startSec >= fromSec && b.startSec < toSec) } };
  } else if (counter) nextStep = { predictions, hits, hitRate: predictions > 0 ? hits / predictions : 0 };
  const commanded = parts.learning?.outcomes?.commanded;
  const bundles = commanded instanceof Map ? bundleVsSingle(commanded as Map<string, OutcomeTotals>) : undefined;
  return {
    asOfSec: throughSec,
    ...(nextStep ? { nextStep } : {}),
    ...(bundles ? { bundles: { asOfSec: throughSec, edges: bundles.edges, bundle: figures(bundles.bundle), single: figures(bundles.single) } } : {}),
  };
}
