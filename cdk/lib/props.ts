/**
 * The stack's inputs, read from CDK context (`cdk.json` or `-c key=value`) and validated: the
 * deployment configuration file is parsed with the same zod schema the Lambda uses, so a bad file
 * fails `cdk synth` before anything is deployed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDeploymentConfig, type DeploymentConfig } from '../../src/handlers/deployment-config.js';
import { parseChainServiceConfig } from '../../src/app/chains/config-check.js';
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js';
import { InputError } from '../../src/core/model/index.js';
import { parseIamPrincipals } from '../../src/handlers/iam-principals.js';

/** Everything the prescale stack is built from. */
export interface PrescaleStackInputs {
  /** The parsed configuration (mode override applied). */
  readonly config: DeploymentConfig;
  /** Absolute path of the configuration file (bundled next to the handler). */
  readonly configFile: string;
  /** Minutes between ticks. @default 1 */
  readonly scheduleRateMinutes: number;
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
  const chainsFile = String(ctx('prescale:chainsConfig') ?? 'cdk/config/prescale.chains.example.json');
  const chainsConfigFile = resolve(cwd, chainsFile);
  const chainApi = bool(ctx('prescale:chainApi'), true);
  if (chainApi) {
    let rawChains: unknown;
    try {
      rawChains = JSON.parse(readFileSync(chainsConfigFile, 'utf8'));
    } catch (err) {
      throw new InputError({ file: chainsFile, field: 'prescale:chainsConfig' }, (err as Error).message, 'a readable JSON chain service configuration');
    }
    // The checks the Lambda runs at start (strict keys, catalog, principals, tokens), so synth fails first.
    parseChainServiceConfig(rawChains, { schemas: new AjvSchemaChecker() }, chainsFile);
  }
  const principalsRaw = ctx('prescale:iamPrincipals');
  const iamPrincipals = parseIamPrincipals(principalsRaw === undefined ? undefined : typeof principalsRaw === 'string' ? principalsRaw : JSON.stringify(principalsRaw));
  const alarmEmail = ctx('prescale:alarmEmail');
  const instanceRoleArn = ctx('prescale:instanceRoleArn');
  return {
    config, configFile, scheduleRateMinutes: rate,
    prefetchCache: bool(ctx('prescale:prefetchCache'), false),
    chainApi, chainsConfigFile, iamPrincipals,
    ...(alarmEmail ? { alarmEmail: String(alarmEmail) } : {}),
    ...(instanceRoleArn ? { instanceRoleArn: String(instanceRoleArn) } : {}),
  };
}
