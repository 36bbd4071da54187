import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/rng.js';
import { regularise } from '../../../src/core/signals/regularise.js';

/** Random sorted points with jittered steps, duplicates and holes, from a seed. */
function randomPoints(seed: number): Array<{ tSec: number; value: number }> {
  const r = createRandom(seed);
  const n = 1 + Math.floor(r.next() * 400);
  const step = [60, 300, 1800][Math.floor(r.next() * 3)]!;
  let t = 1_400_000_000 + Math.floor(r.next() * 10_000);
  const out: Array<{ tSec: number; value: number }> = [];
  for (let i = 0; i < n; i++) {
    out.push({ tSec: t, value: Math.round(r.next() * 1000) / 10 });
    const u = r.next();
    t += u < 0.05 ? 0 : u < 0.1 ? step * (2 + Math.floor(r.next() * 6)) : step + Math.round((r.next() - 0.5) * step * 0.2);
  }
  return out;
}

describe('regularise properties', () => {
  it('on 200 seeded random series: accounts for every point, covers the span, stays within the data range, never ends on a gap', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const pts = randomPoints(seed);
      const { series, report } = regularise(pts, { id: `s${seed}` });
      const min = Math.min(...pts.map((p) => p.value));
      const max = Math.max(...pts.map((p) => p.value));
      const at = `seed ${seed}`;
      expect(series.values.length - report.gapPeriods + report.duplicatesMerged, at).toBe(report.pointsRead);
      expect(series.startSec, at).toBeLessThanOrEqual(pts[0]!.tSec);
      expect(series.startSec + series.values.length * series.periodSec, at).toBeGreaterThan(pts[pts.length - 1]!.tSec);
      expect(series.values.filter(Number.isNaN).length, at).toBe(report.gapPeriods - report.gapsFilled);
      const known = series.values.filter((v) => !Number.isNaN(v));
      expect(Math.min(...known), at).toBeGreaterThanOrEqual(min - 1e-9);
      expect(Math.max(...known), at).toBeLessThanOrEqual(max + 1e-9);
      expect(Number.isNaN(series.values[0]!) || Number.isNaN(series.values[series.values.length - 1]!), at).toBe(false);
    }
  });
});
