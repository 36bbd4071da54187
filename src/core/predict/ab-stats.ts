/**
 * Significance tests of an A/B arm against its control (seed 000 §3): the two-proportion z-test for
 * rates (pooled standard error; Agresti, "Categorical Data Analysis", §2.1) and Welch's unequal-variance
 * t-test for means (Welch 1947, "The generalization of Student's problem when several different
 * population variances are involved", Biometrika 34), with the Student t distribution through the
 * regularised incomplete beta function (continued fraction of Numerical Recipes, 3rd ed., §6.4).
 */
import { normalCdf } from './ab-test.js';

/** A test's outcome. */
export interface TestResult {
  /** The statistic (z or t). */
  readonly statistic: number;
  /** Two-sided p-value; NaN when the test is undefined (no data, no variance). */
  readonly pValue: number;
  /** Degrees of freedom (Welch–Satterthwaite) for the t-test. */
  readonly df?: number;
}

/** Two-sided two-proportion z-test of `x1/n1` against `x2/n2`. */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 <= 0 || n2 <= 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { statistic: Number.NaN, pValue: Number.NaN };
  const z = (x1 / n1 - x2 / n2) / se;
  return { statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Count, mean and unbiased variance of a sample. */
export interface SampleMoments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** Moments of `xs`. */
export function momentsOf(xs: readonly number[]): SampleMoments {
  const n = xs.length;
  const mean = n > 0 ? xs.reduce((s, x) => s + x, 0) / n : Number.NaN;
  const variance = n > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : Number.NaN;
  return { n, mean, variance };
}

/** Two-sided Welch t-test of mean `a` against mean `b`. */
export function welchTTest(a: SampleMoments, b: SampleMoments): TestResult {
  if (a.n < 2 || b.n < 2) return { statistic: Number.NaN, pValue: Number.NaN };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return { statistic: Number.NaN, pValue: Number.NaN };
  const t = (a.mean - b.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { statistic: t, df, pValue: studentTTwoSided(t, df) };
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSided(t: number, df: number): number {
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaCf(x, a, b)) / a;
  return 1 - (front * betaCf(1 - x, b, a)) / b;
}

function betaCf(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) break;
  }
  return h;
}
