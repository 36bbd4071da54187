#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (see cdk.json). Inputs come from context:
 * `prescale:config` (configuration file), `prescale:mode` (forecast-only | dry-run | active),
 * `prescale:scheduleRateMinutes`, `prescale:reportEveryMin`, `prescale:reportWindowSec`, `prescale:prefetchCache`, `prescale:chainApi`,
 * `prescale:alarmEmail`, `prescale:instanceRoleArn`. cdk-nag's AWS Solutions checks run on every synth.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrescaleStack } from '../lib/prescale-stack.js';
import { readStackInputs } from '../lib/props.js';

const app = new App();
const inputs = readStackInputs((key) => app.node.tryGetContext(key));
new PrescaleStack(app, String(app.node.tryGetContext('prescale:stackName') ?? 'Prescale'), {
  inputs,
  description: `prescale: predictive, cost-aware capacity controller (${inputs.config.controller.mode})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
