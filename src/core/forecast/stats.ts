/**
 * Small numeric helpers shared by the forecasting models: inverse normal CDF, robust statistics,
 * empirical quantiles. Pure functions on plain or typed arrays.
 */

/**
 * Inverse of the standard normal CDF (the probit), relative error below 1.15e-9.
 * Source: Peter J. Acklam's rational approximation ("An algorithm for computing the inverse normal
 * cumulative distribution function", 2003).
 * @param p probability in (0, 1); 0 and 1 give -Infinity / +Infinity
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/** Arithmetic mean of the finite values of `xs`, NaN when there are none. */
export function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = xs[i];
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/**
 * Empirical quantile (type 7, linear interpolation, R's default) of the finite values.
 * @param p probability in [0, 1]
 * @returns NaN for an empty input
 */
export function quantileOf(xs: ArrayLike<number>, p: number): number {
  let c = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) c++;
  if (c === 0) return NaN;
  const v = new Float64Array(c);
  c = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) v[c++] = xs[i];
  const h = (v.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const a = selectKth(v, lo);
  if (h === lo || lo + 1 >= v.length) return a;
  // After selection every element right of `lo` is >= v[lo]; the next order statistic is their minimum.
  let b = Infinity;
  for (let i = lo + 1; i < v.length; i++) if (v[i] < b) b = v[i];
  return a + (h - lo) * (b - a);
}

/**
 * Rearranges `v` so that `v[k]` is its k-th smallest value, smaller ones left of it and larger ones
 * right of it (Hoare's selection with median-of-three pivots; O(n) expected). Returns `v[k]`.
 */
export function selectKth(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    let a = v[lo];
    let b = v[mid];
    let c = v[hi];
    if (a > b) [a, b] = [b, a];
    if (b > c) [b, c] = [c, b];
    if (a > b) [a, b] = [b, a];
    const pivot = b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  return v[k];
}

/** Median of the finite values (NaN when empty). */
export function median(xs: ArrayLike<number>): number {
  return quantileOf(xs, 0.5);
}

/** Median absolute deviation scaled to a normal standard deviation (× 1.4826). */
export function madSigma(xs: ArrayLike<number>): number {
  const m = median(xs);
  const d = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) d[i] = Math.abs(xs[i] - m);
  return 1.4826 * median(d);
}

/** Sample standard deviation of the finite values (n - 1 denominator); 0 for fewer than 2 values. */
export function stdDev(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i])) {
      s += (xs[i] - m) ** 2;
      n++;
    }
  }
  return n > 1 ? Math.sqrt(s / (n - 1)) : 0;
}
