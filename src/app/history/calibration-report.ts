/**
 * The feedback loop's measurements (core/predict/feedback.ts) as the report's calibration section
 * (app/report/types.ts `CalibrationSummary`).
 */
import type { FeedbackSummary } from '../../core/predict/feedback.js';
import type { ReliabilityBin } from '../../core/predict/calibration.js';
import type { CalibrationSummary, ReliabilityDecile } from '../report/types.js';

const deciles = (bins: readonly ReliabilityBin[]): ReliabilityDecile[] =>
  bins.map((b) => ({ lo: b.lo, hi: b.hi, n: b.n, meanPredicted: b.meanPredicted, observed: b.observed, absError: b.absError }));

/** The report's calibration section from a feedback model's summary. */
export function calibrationSummaryOf(s: FeedbackSummary): CalibrationSummary {
  return {
    outcomes: s.outcomes, cameTrue: s.cameTrue, expired: s.expired, calibrated: s.calibrated, raise: s.raise,
    brier: s.reliability.brier, maxDecileError: s.reliability.maxBinError, ece: s.reliability.ece, minBinCount: s.reliability.minBinCount,
    deciles: deciles(s.reliability.bins),
    raw: { brier: s.rawReliability.brier, maxDecileError: s.rawReliability.maxBinError, ece: s.rawReliability.ece, deciles: deciles(s.rawReliability.bins) },
    brierOverTime: s.reliability.overTime.map((b) => ({ startSec: b.startSec, n: b.n, brier: b.brier })),
    latenessSec: { ...s.latenessSec },
  };
}
