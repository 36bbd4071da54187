/**
 * The user's current Auto Scaling policy, as the `reactive` (target tracking) and
 * `predictive-hourly` (predictive scaling) baselines replay it, and the settings a backtest ran
 * with (printed at the top of the report, each with where it came from).
 *
 * Sources of the defaults: "Target tracking scaling policies for Amazon EC2 Auto Scaling" (a target
 * at which one demand unit is one vCPU, i.e. utilisation 1 of the metric-per-vCPU; 300 s scale-in
 * cooldown), "Set the default instance warmup for an Auto Scaling group" (no warm-up unless set),
 * "Predictive scaling for Amazon EC2 Auto Scaling" (mode ForecastAndScale, SchedulingBufferTime 300 s,
 * MaxCapacityBuffer 0 %).
 */
import { z } from 'zod';

/** The user's current policy. */
export const CurrentPolicySchema = z.object({
  /**
   * Target tracking's target as a utilisation of one demand unit, in (0, 1]: the policy holds
   * demand units / targetUtilization (CPU target 50 % → 0.5; a request-count target per vCPU of
   * R when one vCPU serves M → R / M).
   */
  targetUtilization: z.number().gt(0).max(1).default(1),
  /** Seconds after an instance is ready before its capacity counts in the policy's metric (DefaultInstanceWarmup). */
  instanceWarmupSec: z.number().nonnegative().default(0),
  /** Seconds scale-in waits after the last scale-out. */
  scaleInCooldownSec: z.number().nonnegative().default(300),
  /** Predictive scaling's mode: ForecastOnly forecasts but never sets capacity (only target tracking acts). */
  predictiveMode: z.enum(['ForecastAndScale', 'ForecastOnly']).default('ForecastAndScale'),
  /** Seconds before each hour that forecast capacity is launched (SchedulingBufferTime, 0–3600). */
  schedulingBufferSec: z.number().int().min(0).max(3600).default(300),
  /** Extra capacity above the forecast, percent (as MaxCapacityBuffer raises the maximum: here the forecast itself). */
  predictiveBufferPct: z.number().min(0).max(100).default(0),
});
/** The user's current policy (defaults applied). */
export type CurrentPolicy = z.infer<typeof CurrentPolicySchema>;

/** The default current policy (AWS's defaults, a target of one demand unit per vCPU). */
export const DEFAULT_CURRENT_POLICY: CurrentPolicy = CurrentPolicySchema.parse({});

/** One setting a backtest ran with, and where it came from ("default", "--metric-per-vcpu", "asg.json: MinSize"...). */
export const RunSettingSchema = z.object({ name: z.string().min(1), value: z.string(), source: z.string().min(1) });
/** One setting a backtest ran with. */
export type RunSetting = z.infer<typeof RunSettingSchema>;
