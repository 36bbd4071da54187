/**
 * The stack's inputs, read from CDK context (`cdk.json` or `-c key=value`) and validated: the
 * deployment configuration file is parsed with the same zod schema the Lambda uses, so a bad file
 * fails `cdk synth` before anything is deployed.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDeploymentConfig, type DeploymentConfig } from '../../src/handlers/deployment-config.js';
import { parseChainServiceConfig } from '../../src/app/chains/config-check.js';
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js';
import { InputError } from '../../src/core/model/index.js';
import { DEFAULT_LOG_RETENTION_SEC } from '../../src/adapters/aws/dynamodb-state-store.js';
import { DEFAULT_REPORT_WINDOW_SEC } from '../../src/handlers/report-writer.js';
import { parseIamPrincipals } from '../../src/handlers/iam-principals.js';
import type { Workflow } from '../../src/core/model/index.js';

/** Everything the prescale stack is built from. */
export interface PrescaleStackInputs {
  /** The parsed configuration (mode override applied). */
  readonly config: DeploymentConfig;
  /** Absolute path of the configuration file (bundled next to the handler). */
  readonly configFile: string;
  /** Minutes between ticks. @default 1 */
  readonly scheduleRateMinutes: number;
  /** Minutes between scheduled reports to the reports bucket (`prescale:reportEveryMin`, 5..1440). @default 60 */
  readonly reportEveryMinutes: number;
  /** Window each scheduled report covers, seconds (`prescale:reportWindowSec`, up to 35 days). @default 604800 (7 days) */
  readonly reportWindowSec: number;
  /** Create an ElastiCache replication group for the prefetch cache. @default false */
  readonly prefetchCache: boolean;
  /** Deploy the Chain API behind API Gateway (IAM auth). @default true */
  readonly chainApi: boolean;
  /** Absolute path of the chain service configuration (`prescale:chainsConfig`). */
  readonly chainsConfigFile: string;
  /** IAM ARN → bearer token of the chain service (`prescale:iamPrincipals`, JSON). @default {} */
  readonly iamPrincipals: Readonly<Record<string, string>>;
  /** Email for alarm notifications. @default none (alarms only go to the SNS topic) */
  readonly alarmEmail?: string;
  /** ARN of the EC2 instance role the launch templates pass (iam:PassRole is scoped to it). @default none */
  readonly instanceRoleArn?: string;
  /**
   * The chain service's workflow catalog (`workflows` of `prescale:chainsConfig`): one Step Functions
   * state machine is created per variant at deploy. @default [] (also when the Chain API is off)
   */
  readonly workflows: readonly Workflow[];
  /**
   * Pool ids whose steps run on the Lambda task runner (the burst tier) instead of an EC2 pool's queue
   * (`prescale:lambdaPools`, comma-separated). @default ["burst"]
   */
  readonly lambdaPools: readonly string[];
  /**
   * Directory copied into the task runner's bundle, next to the chain configuration (`prescale:taskCodeDir`):
   * the code of the Lambda pools' tasks (the bundle is the task root). @default none
   */
  readonly taskCodeDir?: string;
  /**
   * The Lambda burst tier for EC2 pools' steps (issue 19, item 5; `prescale:burst`): burst workers per
   * memory size of the routable step classes, the machines' route Choice, the controller publishing
   * routes. `reservedConcurrency` caps each burst worker (`prescale:burstConcurrency`, 1..1000).
   * @default off
   */
  readonly burst?: { readonly reservedConcurrency: number };
}

/** Reads context values (strings from `-c`, JSON values from cdk.json). */
export type ContextReader = (key: string) => unknown;

function bool(v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return v === true || v === 'true';
}

/**
 * Reads and validates the stack inputs.
 * @throws InputError naming the context key or configuration field
 */
export function readStackInputs(ctx: ContextReader, cwd = process.cwd()): PrescaleStackInputs {
  const file = String(ctx('prescale:config') ?? 'cdk/config/prescale.config.example.json');
  const configFile = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new InputError({ file, field: 'prescale:config' }, (err as Error).message, 'a readable JSON prescale configuration file');
  }
  const mode = ctx('prescale:mode');
  const config = parseDeploymentConfig(raw, file, mode === undefined ? undefined : String(mode));
  const rate = Number(ctx('prescale:scheduleRateMinutes') ?? 1);
  if (!Number.isInteger(rate) || rate < 1 || rate > 60) throw new InputError({ field: 'prescale:scheduleRateMinutes' }, rate, 'an integer number of minutes 1..60');
  if (rate * 60 !== config.controller.tickSec) {
    throw new InputError({ file, field: 'controller.tickSec' }, config.controller.tickSec, `${rate * 60} (prescale:scheduleRateMinutes × 60)`);
  }
  const reportEvery = Number(ctx('prescale:reportEveryMin') ?? 60);
  if (!Number.isInteger(reportEvery) || reportEvery < 5 || reportEvery > 1440) throw new InputError({ field: 'prescale:reportEveryMin' }, ctx('prescale:reportEveryMin'), 'an integer number of minutes 5..1440');
  const reportWindow = Number(ctx('prescale:reportWindowSec') ?? DEFAULT_REPORT_WINDOW_SEC);
  if (!Number.isInteger(reportWindow) || reportWindow < 3600 || reportWindow > DEFAULT_LOG_RETENTION_SEC) {
    throw new InputError({ field: 'prescale:reportWindowSec' }, ctx('prescale:reportWindowSec'), `an integer number of seconds 3600..${DEFAULT_LOG_RETENTION_SEC} (the decision log's retention)`);
  }
  const chainsFile = String(ctx('prescale:chainsConfig') ?? 'cdk/config/prescale.chains.example.json');
  const chainsConfigFile = resolve(cwd, chainsFile);
  const chainApi = bool(ctx('prescale:chainApi'), true);
  let workflows: readonly Workflow[] = [];
  if (chainApi) {
    let rawChains: unknown;
    try {
      rawChains = JSON.parse(readFileSync(chainsConfigFile, 'utf8'));
    } catch (err) {
      throw new InputError({ file: chainsFile, field: 'prescale:chainsConfig' }, (err as Error).message, 'a readable JSON chain service configuration');
    }
    // The checks the Lambda runs at start (strict keys, catalog, principals, tokens), so synth fails first.
    workflows = parseChainServiceConfig(rawChains, { schemas: new AjvSchemaChecker() }, chainsFile).workflows;
  }
  const lambdaPools = String(ctx('prescale:lambdaPools') ?? 'burst').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const ec2Pools = new Set(config.controller.pools.filter((p) => p.kind === 'ec2').map((p) => p.id));
  for (const p of lambdaPools) {
    if (ec2Pools.has(p)) throw new InputError({ field: 'prescale:lambdaPools' }, p, 'pool ids that are not EC2 pools of controller.pools');
  }
  const principalsRaw = ctx('prescale:iamPrincipals');
  const iamPrincipals = parseIamPrincipals(principalsRaw === undefined ? undefined : typeof principalsRaw === 'string' ? principalsRaw : JSON.stringify(principalsRaw));
  const taskCodeRaw = ctx('prescale:taskCodeDir');
  let taskCodeDir: string | undefined;
  if (taskCodeRaw !== undefined && String(taskCodeRaw) !== '') {
    taskCodeDir = resolve(cwd, String(taskCodeRaw));
    let isDir = false;
    try { isDir = statSync(taskCodeDir).isDirectory(); } catch { isDir = false; }
    if (!isDir) throw new InputError({ field: 'prescale:taskCodeDir' }, String(taskCodeRaw), 'a directory with the task code of the Lambda pools');
  }
  const alarmEmail = ctx('prescale:alarmEmail');
  const instanceRoleArn = ctx('prescale:instanceRoleArn');
  const burstConcurrency = Number(ctx('prescale:burstConcurrency') ?? 100);
  // 1,000: Lambda's default concurrent executions per Region (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
  if (!Number.isInteger(burstConcurrency) || burstConcurrency < 1 || burstConcurrency > 1000) throw new InputError({ field: 'prescale:burstConcurrency' }, ctx('prescale:burstConcurrency'), 'an integer 1..1000 (reserved concurrency of each burst worker)');
  return {
    ...(bool(ctx('prescale:burst'), false) ? { burst: { reservedConcurrency: burstConcurrency } } : {}),
    config, configFile, scheduleRateMinutes: rate, reportEveryMinutes: reportEvery, reportWindowSec: reportWindow,
    prefetchCache: bool(ctx('prescale:prefetchCache'), false),
    chainApi, chainsConfigFile, iamPrincipals, workflows, lambdaPools,
    ...(taskCodeDir ? { taskCodeDir } : {}),
    ...(alarmEmail ? { alarmEmail: String(alarmEmail) } : {}),
    ...(instanceRoleArn ? { instanceRoleArn: String(instanceRoleArn) } : {}),
  };
}

