/**
 * cfn-lint (AWS CloudFormation's linter: resource schemas, property values, IAM policy syntax) on the
 * synthesized template, with the optional prefetch cache and the Chain API on. Skips with a message
 * when cfn-lint is not installed; fails on CI (`CI=true`) without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthStack } from './stack-fixture.js';

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const missing = probe.error || probe.status !== 0 ? `cfn-lint not found (pip install cfn-lint): ${probe.error?.message ?? probe.stderr}` : undefined;
if (missing && process.env.CI === 'true') throw new Error(`cfn-lint is required on CI: ${missing}`);
if (missing) console.warn(`skipping the cfn-lint check: ${missing}`);

/**
 * Warnings about what aws-cdk-lib itself generates, not about prescale's resources: W3005 (CDK adds a
 * DependsOn a GetAtt already implies), W3045 (CDK's access-log bucket sets AccessControl, which S3 server
 * access logging delivery needs), W3010 (the test synth has no AWS account, so CDK's VPC lookup returns
 * its dummy zones).
 */
const IGNORED = ['W3005', 'W3045', 'W3010'];

describe.skipIf(!!missing)('synthesized CloudFormation template', () => {
  it.each([[{}], [{ 'prescale:prefetchCache': 'true' }]])('passes cfn-lint without errors or warnings (context %j)', (context) => {
    const { template } = synthStack(context);
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cfn-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', ...IGNORED, '--', file], { encoding: 'utf8' });
    // exit code bits (cfn-lint docs): 2 errors, 4 warnings, 8 informational
    expect(r.stdout + r.stderr, 'cfn-lint findings').toBe('');
    expect(r.status! & 6).toBe(0);
  }, 240_000);
});
