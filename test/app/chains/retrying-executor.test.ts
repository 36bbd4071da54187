import { describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../../src/adapters/executor/local-executor.js';
import { RetryingExecutor, TaskFailedError } from '../../../src/adapters/executor/retrying-executor.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import { createRandom } from '../../../src/core/rng.js';
import { FIXTURES_DIR } from '../../fixtures/tasks/service.js';

const flaky = (retry: Record<string, unknown>) =>
  TaskDefinitionSchema.parse({ task_id: 'f', executable_code_location: 'module:./flaky.ts#run', resource_requirements: { vcpu: 1, memoryGiB: 1 }, retry });

describe('RetryingExecutor (Step Functions retry semantics)', () => {
  it('waits IntervalSeconds × BackoffRate^(n−1) between attempts and gives up after MaxAttempts retries', async () => {
    const sleeps: number[] = [];
    const ex = new RetryingExecutor(new LocalExecutor(FIXTURES_DIR), { random: createRandom(3), sleep: async (ms) => void sleeps.push(ms) });
    const err = await ex.run(flaky({ intervalSec: 1, backoffRate: 2, maxAttempts: 3 }), { key: 'always', failTimes: 99 }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailedError);
    expect((err as TaskFailedError).attempts).toBe(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('draws full jitter in [0, delay] from the seeded random, the same for the same seed', async () => {
    const run = async () => {
      const sleeps: number[] = [];
      const ex = new RetryingExecutor(new LocalExecutor(FIXTURES_DIR), { random: createRandom(7), sleep: async (ms) => void sleeps.push(ms) });
      await ex.run(flaky({ intervalSec: 10, backoffRate: 2, maxAttempts: 2, jitter: 'full' }), { key: `j-${sleeps.length}-${Math.random()}`, failTimes: 2 }, {});
      return sleeps;
    };
    const a = await run();
    expect(a).toHaveLength(2);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[0]).toBeLessThanOrEqual(10_000);
    expect(a[1]).toBeLessThanOrEqual(20_000);
    expect(await run()).toEqual(a);
  });

  it('rejects locations the local executor cannot run', async () => {
    const ex = new LocalExecutor(FIXTURES_DIR);
    const t = TaskDefinitionSchema.parse({ task_id: 's3', executable_code_location: 's3://bucket/x.zip', resource_requirements: { vcpu: 1, memoryGiB: 1 } });
    await expect(ex.run(t, {}, {})).rejects.toThrow(/module: and command: locations/);
  });
});
