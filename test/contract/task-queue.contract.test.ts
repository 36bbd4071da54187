/**
 * The TaskQueue contract: every implementation (in-memory, SQS on moto) sends, long-polls, deletes,
 * hides received messages for their visibility timeout and releases them with visibility 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MemoryTaskQueue } from '../../src/adapters/engine/memory-task-queue.js';
import { SqsTaskQueue } from '../../src/adapters/engine/sqs-task-queue.js';
import type { TaskQueue } from '../../src/ports/task-queue.js';
import { motoSkipReason, startMoto, type Moto } from '../adapters/engine/moto-server.js';

const skipMoto = motoSkipReason();
if (skipMoto) console.warn(skipMoto);

function contract(name: string, make: () => Promise<TaskQueue>, skip = false): void {
  describe.skipIf(skip)(`TaskQueue contract: ${name}`, () => {
    it('delivers a sent message once to a long poll and not again after delete', async () => {
      const q = await make();
      const id = await q.send('{"n":1}');
      const [m] = await q.receive({ maxMessages: 1, waitSec: 2, visibilityTimeoutSec: 30 });
      expect(m).toMatchObject({ messageId: id, body: '{"n":1}', receiveCount: 1 });
      await q.delete(m.receiptHandle);
      expect(await q.receive({ maxMessages: 1, waitSec: 1 })).toEqual([]);
    });

    it('hides a received message until released with visibility 0, then redelivers it', async () => {
      const q = await make();
      await q.send('x');
      const [m] = await q.receive({ maxMessages: 1, waitSec: 2, visibilityTimeoutSec: 30 });
      expect(await q.receive({ maxMessages: 1, waitSec: 1 })).toEqual([]);
      await q.extendVisibility(m.receiptHandle, 0);
      const [again] = await q.receive({ maxMessages: 1, waitSec: 2, visibilityTimeoutSec: 30 });
      expect(again.body).toBe('x');
      expect(again.receiveCount).toBe(2);
    });

    it('returns nothing when the wait ends or the signal aborts', async () => {
      const q = await make();
      const ctl = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ctl.abort(), 100);
      expect(await q.receive({ maxMessages: 1, waitSec: 10, signal: ctl.signal })).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(9000);
    });
  });
}

let moto: Moto | undefined;
let sqs: SQSClient | undefined;
let n = 0;
beforeAll(async () => {
  if (skipMoto) return;
  moto = await startMoto();
  sqs = new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 60_000);
afterAll(async () => {
  sqs?.destroy();
  await moto?.stop();
});

contract('MemoryTaskQueue', async () => new MemoryTaskQueue());
contract('SqsTaskQueue (moto)', async () => {
  const { QueueUrl } = await sqs!.send(new CreateQueueCommand({ QueueName: `contract-${++n}` }));
  return new SqsTaskQueue(sqs!, QueueUrl!);
}, skipMoto !== undefined);
