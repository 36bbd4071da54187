/**
 * Synthetic series with known structure for the forecasting tests (seeded, deterministic).
 */
import { createRandom, drawNormal } from '../../../src/core/rng.js';
import type { ForecastRequest } from '../../../src/core/forecast/types.js';

/** 5-minute steps: a day is 288 steps. */
export const PERIOD_SEC = 300;
export const DAY = 288;
/** A Monday 00:00 UTC, so calendar phases are easy to reason about. */
export const START_SEC = 1_700_438_400;

/** Gaussian noise with standard deviation `sd` from seed `seed`. */
export function noise(n: number, sd: number, seed: number): number[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => sd * drawNormal(rng));
}

/** `base + amp · sin(2πt / period)` plus optional noise. */
export function sine(n: number, opts: { base?: number; amp?: number; period?: number; sd?: number; seed?: number } = {}): number[] {
  const { base = 50, amp = 10, period = DAY, sd = 0, seed = 1 } = opts;
  const e = noise(n, sd, seed);
  return Array.from({ length: n }, (_, t) => base + amp * Math.sin((2 * Math.PI * t) / period) + e[t]);
}

/** A request over `values` with 5-minute steps. */
export function request(values: readonly number[], horizon = 12, quantiles: readonly number[] = [0.1, 0.5, 0.9], extra: Partial<ForecastRequest> = {}): ForecastRequest {
  return { seriesId: 'test', values, startSec: START_SEC, periodSec: PERIOD_SEC, horizon, quantiles, ...extra };
}

/** The continuation of a deterministic generator: values t = n..n+h-1. */
export function truthSine(n: number, h: number, opts: { base?: number; amp?: number; period?: number } = {}): number[] {
  const { base = 50, amp = 10, period = DAY } = opts;
  return Array.from({ length: h }, (_, k) => base + amp * Math.sin((2 * Math.PI * (n + k)) / period));
}

/** Mean absolute error. */
export function mae(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
