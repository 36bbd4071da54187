/**
 * CDK assertions for the Lambda burst tier of EC2 pools (issue 19, item 5; `prescale:burst`): one
 * nodejs22.x burst worker per memory size of the routable step classes, its reserved concurrency from
 * `prescale:burstConcurrency`, the machines' route Choice invoking it (substituted ARN, invoke grant),
 * the controller's route publishing (decision table, `route#*` items only); cfn-lint stays clean.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { statements, synthStack } from './stack-fixture.js';

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.burst.json');
type Res = { Properties: Record<string, unknown> };
let s: ReturnType<typeof synthStack>;
beforeAll(() => { s = synthStack({ 'prescale:chainsConfig': CATALOG, 'prescale:burst': 'true', 'prescale:burstConcurrency': '50' }); }, 600_000);

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const noLint = probe.error || probe.status !== 0 ? `cfn-lint not found (pip install cfn-lint): ${probe.error?.message ?? probe.stderr}` : undefined;
if (noLint && process.env.CI === 'true') throw new Error(`cfn-lint is required on CI: ${noLint}`);

describe('prescale CDK stack: Lambda burst tier of EC2 pools', () => {
  it('creates a nodejs22.x burst worker sized for the step classes, with reserved concurrency and a 900 s timeout', () => {
    const fns = Object.entries(s.template.findResources('AWS::Lambda::Function') as Record<string, Res>).filter(([id]) => id.startsWith('BurstWorkers'));
    // every catalog task is 1 vCPU / 1 GiB: one class size, 1,769 MB (one vCPU's worth of Lambda CPU)
    expect(fns).toHaveLength(1);
    expect(fns[0]![1].Properties).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 1769, Timeout: 900, ReservedConcurrentExecutions: 50 });
  });

  it('compiles the machines with the route Choice, substituting the burst worker ARN and granting its invoke', () => {
    const machines = Object.values(s.template.findResources('AWS::StepFunctions::StateMachine') as Record<string, Res>);
    const routed = machines.filter((m) => JSON.stringify(m.Properties.DefinitionString ?? '').includes('route#web#'));
    expect(routed.length).toBeGreaterThan(0);
    expect(JSON.stringify(routed[0]!.Properties.DefinitionSubstitutions)).toContain('BurstWorker1769Arn');
    const invoke = statements(s.template).filter((st) => JSON.stringify(st.Action).includes('lambda:InvokeFunction') && JSON.stringify(st.Resource).includes('BurstWorkers'));
    expect(invoke.length).toBeGreaterThan(0);
  });

  it('lets the controller publish only route#… items of the decision table', () => {
    const put = statements(s.template).find((st) => st.Sid === 'PublishBurstRoutes')!;
    expect(put).toMatchObject({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['route#*'] } } });
    const fns = Object.values(s.template.findResources('AWS::Lambda::Function') as Record<string, Res>);
    expect(fns.some((f) => JSON.stringify(f.Properties.Environment ?? '').includes('PRESCALE_BURST_ROUTE_TABLE'))).toBe(true);
  });

  it.skipIf(!!noLint)('passes cfn-lint without errors or warnings', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'prescale-cfn-')), 'template.json');
    writeFileSync(file, JSON.stringify(s.template.toJSON(), null, 1));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', 'W3005', 'W3045', 'W3010', '--', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'cfn-lint findings').toBe('');
    expect(r.status! & 6).toBe(0);
  }, 240_000);
});
