/**
 * Runtime statistics of a task type from observed runtimes.
 */
import type { RuntimeStats } from '../model/task.js';

/** Samples kept per task type in {@link RuntimeStats.samplesSec}; larger sets are thinned evenly. */
export const MAX_RUNTIME_SAMPLES = 1000;

/**
 * Quantile `q` (0..1) of ascending-sorted values by linear interpolation between order statistics
 * (Hyndman & Fan 1996, definition 7; the default of R's `quantile` and NumPy's `percentile`).
 * @throws Error on an empty array (an internal invariant, not user input)
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: empty input');
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Mean, median and 95th percentile of runtimes (seconds), with the samples kept in ascending order
 * (at most {@link MAX_RUNTIME_SAMPLES}, evenly thinned so the distribution keeps its shape).
 * @param runtimesSec at least one non-negative runtime
 */
export function runtimeStats(runtimesSec: readonly number[], maxSamples = MAX_RUNTIME_SAMPLES): RuntimeStats {
  const sorted = [...runtimesSec].sort((a, b) => a - b);
  const meanSec = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  let samplesSec = sorted;
  if (sorted.length > maxSamples) {
    samplesSec = Array.from({ length: maxSamples }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (maxSamples - 1))]!);
  }
  return { meanSec, p50Sec: quantileSorted(sorted, 0.5), p95Sec: quantileSorted(sorted, 0.95), samplesSec };
}
