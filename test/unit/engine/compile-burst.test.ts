/**
 * The compiler's burst route (issue 19, item 5): a step on an EC2 pool whose class fits Lambda reads
 * its class's route from the decision table and, while the route is `burst`, invokes the burst worker
 * of its memory instead of its queue. Golden file: test/unit/engine/golden/burst-routed.asl.json.
 */
import { describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import { compileVariant, type AslMachine, type AslState } from '../../../src/core/engine/index.js';
import { aslErrors } from '../../../src/adapters/engine/asl-validation.js';
import { task, workflow } from '../../builders/tasks.js';

const Q = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-batch';
const pools = { batch: { kind: 'sqs' as const, queueUrl: Q } };
const burst = { functionArnOf: (mib: number) => `arn:aws:lambda:us-east-1:123456789012:function:prescale-burst-${mib}` };

function allStates(m: AslMachine | { States: Record<string, AslState> }): Array<[string, AslState]> {
  return Object.entries(m.States).flatMap(([n, s]) => [[n, s] as [string, AslState], ...(s.Branches ?? []).flatMap(allStates), ...(s.ItemProcessor ? allStates(s.ItemProcessor) : [])]);
}

describe('compileVariant with a burst tier', () => {
  const wf = workflow('fan', [
    task('split', [], { task_type: 'split', runtime: { meanSec: 2, p50Sec: 2, p95Sec: 4, samplesSec: [] } }),
    task('project', ['split'], { task_type: 'mProject', runtime: { meanSec: 3, p50Sec: 3, p95Sec: 5, samplesSec: [] } }),
    // 16 GiB: over Lambda's 10,240 MB, so it never bursts
    task('big', ['split'], { memoryGiB: 16 }),
    // p95 over 900 s: past Lambda's timeout
    task('long', ['project', 'big'], { timeoutSec: 3600, runtime: { meanSec: 1000, p50Sec: 1000, p95Sec: 1200, samplesSec: [] } }),
  ]);
  const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools, burst, decisionTable: 'decisions' });
  const states = new Map(allStates(m.definition));

  it('is valid ASL and equal to its golden file', async () => {
    expect(aslErrors(m.definition)).toEqual([]);
    await expect(`${JSON.stringify(m.definition, null, 1)}\n`).toMatchFileSnapshot('./golden/burst-routed.asl.json');
  });

  it('routes a step that fits Lambda through its class route item, to a burst worker sized for it, else to its queue', () => {
    expect(m.steps.project.burst).toEqual({ routeKey: 'route#batch#mProject', memoryMiB: 2048, functionArn: burst.functionArnOf(2048), taskState: 'Burst project' });
    expect(states.get('Skip? project')!.Default).toBe('Route clock project');
    expect(states.get('Read route project')).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'decisions', Key: { pk: { S: 'route#batch#mProject' } } }, Next: 'Route? project' });
    expect(states.get('Read route project')!.Catch![0].Next).toBe('Run project');
    const choice = states.get('Route? project')!;
    expect(choice.Default).toBe('Run project');
    expect(JSON.stringify(choice.Choices)).toContain('"TimestampLessThanPath":"$.route.Item.validUntil.S"');
    const b = states.get('Burst project')!;
    expect(b.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(b.Parameters).toMatchObject({ FunctionName: burst.functionArnOf(2048), Payload: { kind: 'run', taskId: 'project', poolId: 'batch' } });
    expect((b.Parameters as { Payload: Record<string, unknown> }).Payload['taskToken.$']).toBeUndefined();
    // same result path, retries and catch as the queue task: the checkpoint and failure handling are the same
    const run = states.get('Run project')!;
    expect({ ResultPath: b.ResultPath, Retry: b.Retry, Catch: b.Catch, End: b.End }).toEqual({ ResultPath: run.ResultPath, Retry: run.Retry, Catch: run.Catch, End: run.End });
    expect(run.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
  });

  it('never routes a step past Lambda limits (memory, timeout), and compiles without routes when no burst tier is given', () => {
    expect(m.steps.big.burst).toBeUndefined();
    expect(m.steps.long.burst).toBeUndefined();
    expect(states.get('Skip? big')!.Default).toBe('Run big');
    const plain = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    expect(plain.definitionJson).not.toContain('route#');
    expect(plain.name).not.toBe(m.name);
  });

  it('routes the items of a Map by their class (a dynamic key when the items have no task_type)', () => {
    const wide = workflow('wide', [task('root'), ...Array.from({ length: 40 }, (_, i) => task(`leaf${i}`, ['root'], { executable_code_location: 'module:./tasks/leaf.js#run', runtime: { meanSec: 1, p50Sec: 1, p95Sec: 2, samplesSec: [] } }))]);
    const mm = compileVariant(assembleDag(wide.name, wide.variants[0]), { pools, burst });
    expect(aslErrors(mm.definition)).toEqual([]);
    expect(Object.keys(mm.maps)).toEqual(['M1_0']);
    const inner = new Map(allStates(mm.definition));
    expect(inner.get('Read route map M1_0')!.Parameters).toMatchObject({ Key: { pk: { 'S.$': "States.Format('route#batch#{}', $.item.taskId)" } } });
    expect(inner.get('Burst map M1_0')).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke', ResultPath: '$.result', Next: 'Emit map M1_0' });
  });
});
