/**
 * The tick setup prescale runs with wherever it runs: the deployed controller
 * (handlers/controller-runner.ts) and the backtest's prescale policy (sim/policies/prescale.ts), so
 * that the planner a backtest measures is the planner that runs in an account.
 *
 * - `recalibrate: true`: the conformal calibrators (core/tick/calibration.ts, pool-calibration.ts):
 *   every figure of docs/benchmarks.md since issue 7 was measured with them, the residual task
 *   headroom and its regimes (issue 19) exist only with them. Until session 14 the deployed
 *   controller ran without them (the tick's default is off), i.e. another planner than the one
 *   measured.
 * - `forecastMode: 'incremental'` with {@link createProductForecaster}: refitted every
 *   `refitEverySec`, absorbing each new period in between (core/tick/forecast.ts), so near-horizon
 *   quantiles are conditioned on the latest data.
 */
import { createIncrementalForecaster } from '../../core/forecast/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import type { TickOptions } from './types.js';

/** The tick options prescale runs with (module doc); a caller's own options go on top. */
export const PRODUCT_TICK_OPTIONS: Readonly<Required<Pick<TickOptions, 'recalibrate' | 'forecastMode'>>> = { recalibrate: true, forecastMode: 'incremental' };

/**
 * The forecaster of {@link PRODUCT_TICK_OPTIONS}: core/forecast's incremental MSTL + ARIMA-style model,
 * never refitting on its own (the tick refits it every `refitEverySec`).
 */
export function createProductForecaster(): Forecaster {
  return createIncrementalForecaster({ refitEverySteps: Number.MAX_SAFE_INTEGER });
}

/**
 * The tick options for a tick built with `forecaster` (undefined: {@link createProductForecaster}'s):
 * {@link PRODUCT_TICK_OPTIONS}, with a caller's own forecaster read in the tick's default refit mode
 * (a forecaster given from outside need not be incremental), then `own` on top.
 */
export function productTickOptions(forecaster: Forecaster | undefined, own: TickOptions = {}): TickOptions {
  return { ...(forecaster === undefined ? PRODUCT_TICK_OPTIONS : { recalibrate: PRODUCT_TICK_OPTIONS.recalibrate }), ...own };
}
