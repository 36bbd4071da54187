/**
 * The AWS Preparer (src/adapters/aws/sqs-preparer.ts): a pre-execute command becomes a prepare message
 * on the step's pool queue (or an asynchronous task runner invoke for a Lambda pool), naming the
 * chain's current execution; what cannot be prepared is rejected without sending anything.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionIndex, executionArnOf, SqsPreparer, type PrepareTransports } from '../../../src/adapters/aws/sqs-preparer.js';
import { PrepareMessageSchema } from '../../../src/core/engine/prepare-message.js';
import type { ExecutionEvent, PreExecuteCommand } from '../../../src/core/model/index.js';
import { task } from '../../builders/tasks.js';
import { clockReading } from '../../fakes/manual-clock.js';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:prescale-wf-default-abc';
const ev = (chainId: string, executionName: string, atSec: number, variant = 'default'): ExecutionEvent => ({ chainId, workflow: 'wf', variant, taskId: 'a', taskType: 'a', kind: 'started', atSec, executionName });
const cmd = (over: Partial<PreExecuteCommand> = {}): PreExecuteCommand => ({ kind: 'pre-execute', id: 'pre-execute:c1:b:60', poolId: 'batch', reason: 'p=0.9', chainId: 'c1', taskId: 'b', probability: 0.9, ttlSec: 300, ...over });

function setup(taskOver: Parameters<typeof task>[2] = { prepare: 'module:./b.js#prepare' }, failSend = false) {
  const sent: Array<{ to: string; body: string; via: 'sqs' | 'lambda' }> = [];
  const transports: PrepareTransports = {
    sendMessage: async (to, body) => { if (failSend) throw new Error('AccessDenied'); sent.push({ to, body, via: 'sqs' }); },
    invokeAsync: async (to, body) => { sent.push({ to, body, via: 'lambda' }); },
  };
  const index = new ExecutionIndex();
  index.observe([ev('c1', 'c1-old', 10), ev('c1', 'c1-new', 20, 'spot'), ev('c2', 'c2-x', 5)]);
  const b = task('b', ['a'], taskOver);
  const preparer = new SqsPreparer({
    transports, queueUrls: { batch: 'https://sqs.eu-west-1.amazonaws.com/123456789012/prescale-pool-batch' }, lambdaPools: { burst: 'arn:aws:lambda:eu-west-1:123456789012:function:runner' },
    machineArns: { 'wf/default': MACHINE, 'wf/spot': MACHINE.replace('default', 'spot') }, executions: index, task: (_w, _v, t) => (t === 'b' ? b : undefined), clock: clockReading(() => 1000),
  });
  return { preparer, sent };
}

describe('SqsPreparer', () => {
  it('sends one prepare message for the chain\'s latest execution to the pool queue, once per command id', async () => {
    const { preparer, sent } = setup();
    await expect(preparer.prepare(cmd())).resolves.toEqual({ commandId: cmd().id, status: 'accepted' });
    await expect(preparer.prepare(cmd())).resolves.toEqual({ commandId: cmd().id, status: 'duplicate' });
    expect(sent).toHaveLength(1);
    const m = PrepareMessageSchema.parse(JSON.parse(sent[0].body));
    expect(m).toMatchObject({ kind: 'prepare', chainId: 'c1', executionName: 'c1-new', variant: 'spot', taskId: 'b', ttlSec: 300, expiresAtSec: 1300 });
    expect(m.executionRef).toBe('arn:aws:states:eu-west-1:123456789012:execution:prescale-wf-spot-abc:c1-new');
  });

  it('invokes the task runner asynchronously for a step on a Lambda pool', async () => {
    const { preparer, sent } = setup();
    await expect(preparer.prepare(cmd({ poolId: 'burst' }))).resolves.toMatchObject({ status: 'accepted' });
    expect(sent[0]).toMatchObject({ via: 'lambda', to: 'arn:aws:lambda:eu-west-1:123456789012:function:runner' });
  });

  it('rejects critical steps, steps without a prepare phase, unknown chains and pools, and reports a failed send', async () => {
    expect((await setup({ prepare: 'module:./b.js#prepare', critical: true }).preparer.prepare(cmd())).status).toBe('rejected');
    expect((await setup({}).preparer.prepare(cmd())).status).toBe('rejected');
    expect((await setup().preparer.prepare(cmd({ chainId: 'nobody' }))).status).toBe('rejected');
    expect((await setup().preparer.prepare(cmd({ poolId: 'gpu' }))).status).toBe('rejected');
    const failed = await setup(undefined, true).preparer.prepare(cmd());
    expect(failed.status).toBe('failed');
    expect(failed.reason).toContain('AccessDenied');
  });

  it('builds execution ARNs from state machine ARNs only', () => {
    expect(executionArnOf(MACHINE, 'e1')).toBe('arn:aws:states:eu-west-1:123456789012:execution:prescale-wf-default-abc:e1');
    expect(() => executionArnOf('arn:aws:lambda:eu-west-1:1:function:f', 'e1')).toThrow(/not a state machine ARN/);
  });
});
