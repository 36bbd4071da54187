/**
 * The ASL compiler: structure of compiled machines, asl-validator on every one, golden files on the
 * shared WfCommons traces (montage, 1000genome, nf-core bacass), names and the pure SHA-256.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import {
  CompileError,
  checkpointFromHistory,
  compileVariant,
  executionInput,
  executionName,
  heartbeatSecOf,
  isValidSfnName,
  MAX_SFN_NAME_LENGTH,
  restartName,
  sha256Hex,
  stateMachineName,
  type AslMachine,
  type AslState,
} from '../../../src/core/engine/index.js';
import { aslErrors } from '../../../src/adapters/engine/asl-validation.js';
import { readWorkflowTraceFile } from '../../../src/adapters/files/wfformat-reader.js';
import { dataPath, HAVE_DATA } from '../../adapters/files/real-data.js';
import { task, workflow } from '../../builders/tasks.js';

const Q = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-batch';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:prescale-task-runner';
const pools = { batch: { kind: 'sqs' as const, queueUrl: Q }, burst: { kind: 'lambda' as const, functionArn: FN } };

function allStates(m: AslMachine): Array<[string, AslState]> {
  return Object.entries(m.States).flatMap(([n, s]) => [[n, s] as [string, AslState], ...(s.Branches ?? []).flatMap(allStates)]);
}

describe('compileVariant', () => {
  const wf = workflow('etl', [
    task('extract'),
    task('clean', ['extract'], { retry: { intervalSec: 0.5, backoffRate: 2, maxAttempts: 3, jitter: 'full' } }),
    task('score', ['extract'], { runtime: { meanSec: 100, p50Sec: 90, p95Sec: 200, samplesSec: [] } }),
    task('load', ['clean', 'score']),
  ], [{ name: 'main', defaultPool: 'batch', poolBindings: { score: 'burst' } }]);
  const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });

  it('produces a machine asl-validator accepts', () => {
    expect(aslErrors(m.definition)).toEqual([]);
  });

  it('puts a fan-out in a Parallel state with one branch per step and joins the branches with States.JsonMerge', () => {
    expect(m.layers).toEqual([['extract'], ['clean', 'score'], ['load']]);
    const fan = m.definition.States['Fan-out L1'];
    expect(fan.Type).toBe('Parallel');
    expect(fan.Branches!.map((b) => b.StartAt)).toEqual(['Skip? clean', 'Skip? score']);
    expect(fan.Next).toBe('Join L1');
    expect(m.definition.States['Join L1'].Parameters).toMatchObject({ 'results.$': 'States.JsonMerge($.results, $.layer, false)' });
  });

  it('sends an EC2 pool step to its queue with waitForTaskToken and a heartbeat from its p95 runtime', () => {
    const run = allStates(m.definition).find(([n]) => n === 'Run clean')![1];
    expect(run.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    expect(run.Parameters).toMatchObject({ QueueUrl: Q, MessageBody: { taskId: 'clean', 'taskToken.$': '$$.Task.Token', 'executionName.$': '$$.Execution.Name' } });
    expect(run.HeartbeatSeconds).toBe(23); // p95 90 s / 4 = 22.5, rounded up
    expect(run.TimeoutSeconds).toBe(3600);
  });

  it('invokes the Lambda task runner for a burst-tier step', () => {
    const run = allStates(m.definition).find(([n]) => n === 'Run score')![1];
    expect(run.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(run.Parameters).toMatchObject({ FunctionName: FN });
    expect(run.ResultSelector).toEqual({ 'output.$': '$.Payload' });
    expect(run.HeartbeatSeconds).toBeUndefined();
    expect(run.TimeoutSeconds).toBe(900);
  });

  it('turns the task’s retry policy into Retry (integer IntervalSeconds, full jitter) and adds a Catch', () => {
    const run = allStates(m.definition).find(([n]) => n === 'Run clean')![1];
    expect(run.Retry![2]).toEqual({ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' });
    expect(run.Retry![0]).toMatchObject({ ErrorEquals: expect.arrayContaining(['Prescale.SchemaViolation']), MaxAttempts: 0 });
    expect(run.Retry![1].ErrorEquals).toEqual(expect.arrayContaining(['Prescale.SpotInterruption', 'States.HeartbeatTimeout']));
    expect(run.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed clean' }]);
  });

  it('puts a switch point on the variant decision before every layer', () => {
    expect(m.decisionStates).toEqual(['Read variant decision L0', 'Read variant decision L1', 'Read variant decision L2']);
    const sw = m.definition.States['Switch point L1'];
    expect(sw.Type).toBe('Choice');
    expect(JSON.stringify(sw.Choices)).toContain('"StringEquals":"main"');
    expect(m.definition.States['Variant switched']).toMatchObject({ Type: 'Fail', Error: 'Prescale.VariantSwitched' });
  });

  it('skips a step whose result is in the checkpoint', () => {
    const skip = m.definition.States['Skip? extract'];
    expect(skip.Choices).toEqual([{ Variable: '$.results.extract', IsPresent: true, Next: 'Read variant decision L1' }]);
    expect(executionInput(m, 'c1', { x: 1 }, { extract: { rows: 3 }, unknown: 1 })).toEqual({ input: { x: 1 }, results: { extract: { output: { rows: 3 } } }, meta: { chainId: 'c1', principal: '' } });
  });

  it('reads a checkpoint back from state exits, in and outside Parallel branches', () => {
    const cp = checkpointFromHistory(m, [
      { stateName: 'Run extract', output: { input: {}, results: { extract: { output: { e: 1 } } } } },
      { stateName: 'Run clean', output: { output: { c: 2 } } },
      { stateName: 'Switch point L1', output: {} },
    ]);
    expect(cp).toEqual({ extract: { e: 1 }, clean: { c: 2 } });
  });

  it('projects exactly the input properties the parents guarantee (Parameters), else lets the worker merge', () => {
    const typed = workflow('typed', [
      task('a', [], { output_schema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } }),
      task('b', ['a'], { input_schema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } }),
      task('c', ['a']),
    ], [{ name: 'v', defaultPool: 'batch' }]);
    const t = compileVariant(assembleDag(typed.name, typed.variants[0]), { pools });
    const body = (id: string) => (allStates(t.definition).find(([n]) => n === `Run ${id}`)![1].Parameters as { MessageBody: Record<string, unknown> }).MessageBody;
    expect(body('b').input).toEqual({ 'n.$': '$.results.a.output.n' });
    expect(body('c').parents).toEqual({ 'a.$': '$.results.a.output' });
    expect(body('a')['input.$']).toBe('$.input');
  });

  it('rejects a step requiring an input no parent outputs, naming the step and the property', () => {
    const bad = workflow('bad', [
      task('a', [], { output_schema: { type: 'object', properties: { n: { type: 'number' } } } }),
      task('b', ['a'], { input_schema: { type: 'object', required: ['m'], properties: { m: {} } } }),
    ], [{ name: 'v', defaultPool: 'batch' }]);
    expect(() => compileVariant(assembleDag(bad.name, bad.variants[0]), { pools })).toThrow(/step b: input_schema requires m/);
  });

  it('rejects a pool without a queue or Lambda target', () => {
    expect(() => compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { batch: pools.batch } })).toThrow(CompileError);
  });

  it('is deterministic: the same variant compiles to the same bytes and machine name', () => {
    const again = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    expect(again.definitionJson).toBe(m.definitionJson);
    expect(again.name).toBe(m.name);
    expect(isValidSfnName(m.name)).toBe(true);
  });
});

describe('heartbeatSecOf', () => {
  it('is a quarter of the p95 runtime within [10, 300] s and below the timeout', () => {
    expect(heartbeatSecOf({ runtime: { meanSec: 1, p50Sec: 1, p95Sec: 2000, samplesSec: [] }, timeoutSec: 3600 })).toBe(300);
    expect(heartbeatSecOf({ runtime: { meanSec: 1, p50Sec: 1, p95Sec: 8, samplesSec: [] }, timeoutSec: 3600 })).toBe(10);
    expect(heartbeatSecOf({ timeoutSec: 3600 })).toBe(60);
    expect(heartbeatSecOf({ timeoutSec: 5 })).toBe(4);
  });
});

describe('execution names', () => {
  it('derive from chain id and Idempotency-Key: same pair same name, valid charset, at most 80 characters', () => {
    const a = executionName('chain/with spaces:and#odd', 'key-1');
    expect(a).toBe(executionName('chain/with spaces:and#odd', 'key-1'));
    expect(a).not.toBe(executionName('chain/with spaces:and#odd', 'key-2'));
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    const long = executionName('c'.repeat(500), 'k'.repeat(5000), 999);
    expect(long.length).toBeLessThanOrEqual(MAX_SFN_NAME_LENGTH);
    expect(isValidSfnName(long)).toBe(true);
    expect(restartName(long, 3)).toBe(`${executionName('c'.repeat(500), 'k'.repeat(5000))}-s3`);
    expect(stateMachineName('w'.repeat(100), 'v'.repeat(100), '{}').length).toBeLessThanOrEqual(MAX_SFN_NAME_LENGTH);
  });

  it('do not collide when the id/key boundary moves', () => {
    expect(executionName('ab', 'c')).not.toBe(executionName('a', 'bc'));
  });

  it('use a SHA-256 equal to node:crypto’s', () => {
    for (const s of ['', 'abc', 'é日本', 'x'.repeat(1000)]) expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
  });
});

const TRACES = [
  'pegasus/montage/montage-chameleon-2mass-005d-001.json',
  'pegasus/1000genome/1000genome-chameleon-2ch-100k-001.json',
  'nextflow/bacass-dirt02-001.json',
];

describe.skipIf(!HAVE_DATA)('golden machines of the shared WfCommons traces', () => {
  for (const file of TRACES) {
    it(`compiles ${file} to valid ASL equal to its golden file`, async () => {
      const trace = await readWorkflowTraceFile(dataPath('workflows', file));
      const variant = trace.workflow.variants[0];
      const m = compileVariant(assembleDag(trace.workflow.name, variant), { pools: { [variant.defaultPool]: { kind: 'sqs', queueUrl: Q } } });
      expect(aslErrors(m.definition)).toEqual([]);
      const base = file.split('/').pop()!.replace(/\.json$/, '');
      await expect(`${JSON.stringify(m.definition, null, 1)}\n`).toMatchFileSnapshot(`./golden/${base}.asl.json`);
      // Every trace task runs exactly once: one Task state per step.
      const runs = allStates(m.definition).filter(([n, s]) => s.Type === 'Task' && n.startsWith('Run '));
      expect(runs.length).toBe(trace.tasks.length);
    });
  }
});
