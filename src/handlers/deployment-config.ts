/**
 * The deployment's configuration file (`prescale.config.json`): the controller configuration
 * (core's ControllerConfigSchema) plus the AWS settings the adapters need (launch templates, subnets,
 * CloudWatch series). Parsed once with zod at start-up and again by `cdk synth`, so a bad file fails
 * the synth, the deploy's smoke test and the tick, and nothing is half-applied (DESIGN.md rule 5).
 */
import { z } from 'zod';
import { SeriesDefsSchema } from '../adapters/aws/cloudwatch-metrics-source.js';
import { FORECASTER_NAMES } from '../core/forecast/index.js';
import { ControllerConfigSchema, InputError, inputErrorFromZod, type ControllerConfig } from '../core/model/index.js';

/** A pool's launch template. */
export const LaunchTemplateRefSchema = z.object({
  launchTemplateId: z.string().regex(/^lt-[0-9a-f]+$/, 'a launch template id lt-…').optional(),
  launchTemplateName: z.string().min(3).optional(),
  version: z.string().default('$Latest'),
}).refine((t) => t.launchTemplateId !== undefined || t.launchTemplateName !== undefined, 'launchTemplateId or launchTemplateName');

/** AWS settings of a deployment. */
export const AwsSettingsSchema = z.object({
  /** Value of prescale's owner tag; only resources with it are changed. @default "prescale" */
  owner: z.string().min(1).max(128).default('prescale'),
  /** Launch template per EC2 pool id (required for every EC2 pool). */
  launchTemplates: z.record(z.string(), LaunchTemplateRefSchema).default({}),
  /**
   * EC2 pools backed by an Auto Scaling group (desired capacity and an optional warm pool) instead of
   * EC2 Fleet; the group's launch template applies and must propagate the owner tag at launch.
   */
  autoScalingGroups: z.record(z.string(), z.object({
    name: z.string().min(1).max(255),
    warmPoolMinSize: z.number().int().nonnegative().optional(),
    /** Let the planner size this group's warm pool every tick (core/plan/warm-pool.ts; PutWarmPool). @default false */
    planWarmPool: z.boolean().default(false),
  })).default({}),
  /** Subnet per availability zone. */
  subnetsByAz: z.record(z.string(), z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id subnet-…')).default({}),
  /** Replication group id per cache pool id (@default the pool id). */
  replicationGroupIds: z.record(z.string(), z.string()).default({}),
  /** CloudWatch definition of every series the demand signals read. */
  series: SeriesDefsSchema.default({}),
  placementScores: z.boolean().default(false),
  availabilityZoneIds: z.record(z.string(), z.string()).optional(),
  /** Tick tuning: history read for each refit, seconds (CloudWatch keeps 1-minute data 15 days). */
  historySec: z.number().int().positive().max(15 * 86_400).default(7 * 86_400),
  forecastPeriodSec: z.number().int().positive().default(300),
  refitEverySec: z.number().int().positive().default(3600),
  /** Forecaster name (core/forecast FORECASTER_NAMES). @default "ensemble" */
  forecaster: z.enum(FORECASTER_NAMES).default('ensemble'),
});
/** AWS settings of a deployment. */
export type AwsSettings = z.infer<typeof AwsSettingsSchema>;

/** The whole file. */
export const DeploymentConfigSchema = z.object({
  controller: ControllerConfigSchema,
  aws: AwsSettingsSchema.default(AwsSettingsSchema.parse({})),
});
/** A parsed deployment configuration. */
export interface DeploymentConfig {
  readonly controller: ControllerConfig;
  readonly aws: AwsSettings;
}

/** Modes the controller runs in. */
export const MODES = ['forecast-only', 'dry-run', 'active'] as const;

/**
 * Parses and cross-checks a deployment configuration.
 * @param raw the parsed JSON
 * @param file where it came from, for messages
 * @param modeOverride `PRESCALE_MODE` / the `mode` CDK context, which wins over the file
 * @throws InputError naming the field: schema errors, an EC2 pool without a launch template, a
 *   demand signal whose series has no CloudWatch definition or whose pool does not exist
 */
export function parseDeploymentConfig(raw: unknown, file?: string, modeOverride?: string): DeploymentConfig {
  const parsed = DeploymentConfigSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, raw, file);
  const cfg = parsed.data;
  if (modeOverride !== undefined && modeOverride !== '') {
    if (!(MODES as readonly string[]).includes(modeOverride)) throw new InputError({ file: 'PRESCALE_MODE', field: 'mode' }, modeOverride, MODES.join(' | '));
    cfg.controller = { ...cfg.controller, mode: modeOverride as ControllerConfig['mode'] };
  }
  const poolIds = new Set(cfg.controller.pools.map((p) => p.id));
  cfg.controller.pools.forEach((p, i) => {
    const asg = cfg.aws.autoScalingGroups[p.id];
    if (asg && p.kind !== 'ec2') throw new InputError({ file, field: `aws.autoScalingGroups.${p.id}` }, p.kind, 'an EC2 pool (Auto Scaling groups back EC2 pools only)');
    if ((asg?.warmPoolMinSize !== undefined || asg?.planWarmPool) && p.kind === 'ec2' && p.markets.includes('spot')) {
      throw new InputError({ file, field: `controller.pools[${i}].markets` }, p.markets, '["on-demand"]: warm pools do not support Spot Instances (EC2 Auto Scaling User Guide)');
    }
    if (p.kind === 'ec2' && !asg && !cfg.aws.launchTemplates[p.id]) {
      throw new InputError({ file, field: `aws.launchTemplates.${p.id}` }, undefined, `a launch template for EC2 pool controller.pools[${i}] "${p.id}"`);
    }
  });
  cfg.controller.demandSignals.forEach((d, i) => {
    if (!(d.seriesId in cfg.aws.series)) throw new InputError({ file, field: `controller.demandSignals[${i}].seriesId` }, d.seriesId, `a series defined in aws.series (${Object.keys(cfg.aws.series).join(', ') || 'none defined'})`);
    if (!poolIds.has(d.poolId)) throw new InputError({ file, field: `controller.demandSignals[${i}].poolId` }, d.poolId, `one of the pools (${[...poolIds].join(', ')})`);
  });
  return cfg;
}

/**
 * Reads the configuration the Lambda was deployed with: `PRESCALE_CONFIG` (inline JSON) or the file
 * `PRESCALE_CONFIG_FILE` (bundled next to the handler), with `PRESCALE_MODE` overriding the mode.
 * @throws InputError when missing, not JSON or invalid
 */
export function loadDeploymentConfig(env: Readonly<Record<string, string | undefined>>, readFile: (path: string) => string): DeploymentConfig {
  const inline = env.PRESCALE_CONFIG;
  const file = env.PRESCALE_CONFIG_FILE ?? 'prescale.config.json';
  let text: string;
  try {
    text = inline ?? readFile(file);
  } catch (err) {
    throw new InputError({ file }, (err as Error).message, 'a readable prescale configuration file (PRESCALE_CONFIG_FILE) or PRESCALE_CONFIG');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError({ file: inline ? 'PRESCALE_CONFIG' : file }, (err as Error).message, 'valid JSON');
  }
  return parseDeploymentConfig(raw, inline ? 'PRESCALE_CONFIG' : file, env.PRESCALE_MODE);
}
