/**
 * Demand as a distribution: the forecast's quantiles per slot, read at any level by interpolating in
 * normal-score space, plus predicted and committed step units as a deterministic addition.
 */
import { InputError } from '../model/errors.js';
import type { Ec2Pool } from '../model/pool.js';
import type { DemandSlot } from './types.js';

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * Inverse standard normal CDF (Peter Acklam's rational approximation, relative error < 1.2e-9).
 * @param p probability in (0, 1)
 */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The value of a quantile map (keys like "0.5", "0.9") at `level`. Between two given levels it
 * interpolates linearly in normal-score space (exact for a normal distribution); outside them it
 * extrapolates from the two nearest levels the same way; never below 0.
 * @throws InputError when the map is empty or has a non-numeric key or value
 */
export function quantileAt(quantiles: Readonly<Record<string, number>>, level: number, field = 'quantiles'): number {
  const pts = Object.entries(quantiles)
    .map(([k, v]) => {
      const lv = Number(k);
      if (!(lv > 0 && lv < 1)) throw new InputError({ field }, k, 'quantile keys in (0, 1), e.g. "0.9"');
      if (!Number.isFinite(v)) throw new InputError({ field: `${field}["${k}"]` }, v, 'a finite number of units');
      return { z: normalQuantile(lv), lv, v };
    })
    .sort((x, y) => x.lv - y.lv);
  if (pts.length === 0) throw new InputError({ field }, quantiles, 'at least one quantile');
  const exact = pts.find((p) => Math.abs(p.lv - level) < 1e-9);
  if (exact) return Math.max(0, exact.v);
  if (pts.length === 1) return Math.max(0, pts[0].v);
  const z = normalQuantile(level);
  let i = pts.findIndex((p) => p.lv > level);
  if (i <= 0) i = i === 0 ? 1 : pts.length - 1;
  const p0 = pts[i - 1];
  const p1 = pts[i];
  const v = p0.v + ((p1.v - p0.v) * (z - p0.z)) / (p1.z - p0.z);
  return Math.max(0, v);
}

/** Units a slot needs at the pool's service level: demand quantile + predicted + committed step units. */
export function slotNeedUnits(slot: DemandSlot, serviceLevel: number): number {
  return quantileAt(slot.quantiles, serviceLevel) + Math.max(0, slot.predictedStepUnits) + Math.max(0, slot.committedUnits);
}

/** Target units of a slot: {@link slotNeedUnits} clamped to the pool's [minUnits, maxUnits]. */
export function slotTargetUnits(slot: DemandSlot, pool: Ec2Pool): number {
  return Math.min(pool.maxUnits, Math.max(pool.minUnits, slotNeedUnits(slot, pool.serviceLevel)));
}

/**
 * Expected unmet units E[(D − c)+] of a slot with `capacityUnits` ready, modelling metric demand as a
 * normal fitted to the median and the 0.9 quantile (σ = (q0.9 − q0.5) / 1.2816) and step units as
 * deterministic: E[(X − k)+] = σ φ(z) − (k − μ)(1 − Φ(z)), z = (k − μ)/σ.
 */
export function expectedShortfallUnits(slot: DemandSlot, capacityUnits: number): number {
  const mu = quantileAt(slot.quantiles, 0.5);
  const sigma = Math.max(0, (quantileAt(slot.quantiles, 0.9) - mu) / 1.2815515655446004);
  const k = capacityUnits - Math.max(0, slot.predictedStepUnits) - Math.max(0, slot.committedUnits);
  if (sigma < 1e-12) return Math.max(0, mu - k);
  const z = (k - mu) / sigma;
  return Math.max(0, sigma * normalPdf(z) - (k - mu) * (1 - normalCdf(z)));
}
