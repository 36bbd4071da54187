/** Shared helpers of prefetch manager tests: a manual clock, tasks, commands and a controllable runner. */
import { TaskDefinitionSchema, type PreExecuteCommand, type TaskDefinition, type TaskDefinitionInput } from '../../../src/core/model/index.js';
import type { Executor } from '../../../src/ports/executor.js';
import { ManualClock as FakeManualClock, settle } from '../../fakes/manual-clock.js';

/** A clock the test moves by hand. */
export class ManualClock extends FakeManualClock {
  /** Epoch seconds now; setting it advances the clock (forward only, firing due timers). */
  get t(): number {
    return this.nowSec();
  }
  set t(sec: number) {
    this.advanceTo(sec);
  }
}

/** A task with a prepare phase in the fixture module. */
export function prepTask(id: string, extra: Partial<TaskDefinitionInput> = {}): TaskDefinition {
  return TaskDefinitionSchema.parse({
    task_id: id,
    executable_code_location: `module:./${id}.js#run`,
    prepare: 'module:./fixtures/prepare-module.mjs#prepare',
    resource_requirements: { vcpu: 2, memoryGiB: 4 },
    setupShare: 0.5,
    runtime: { meanSec: 60, p50Sec: 60, p95Sec: 60 },
    ...extra,
  });
}

/** A pre-execute command for `chainId`/`taskId`. */
export function preCmd(chainId: string, taskId: string, extra: Partial<PreExecuteCommand> = {}): PreExecuteCommand {
  return { kind: 'pre-execute', id: `pre:${chainId}:${taskId}`, poolId: 'pool', reason: 'test', chainId, taskId, probability: 0.8, ttlSec: 300, ...extra };
}

/**
 * A runner whose preparations finish when the test releases them; it records how many ran at once
 * and advances the clock by `setupSec` per preparation.
 */
export class ControlledRunner implements Pick<Executor, 'prepare'> {
  running = 0;
  peak = 0;
  calls = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly clock: ManualClock, private readonly setupSec = 10) {}

  async prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal }): Promise<Buffer> {
    this.calls++;
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        opts.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
      (input as Record<string, unknown>).mutated = true;
      this.clock.t += this.setupSec;
      return Buffer.from(JSON.stringify({ task: task.task_id, input }));
    } finally {
      this.running--;
    }
  }

  /** Lets every waiting preparation finish; resolves after they have been stored. */
  async releaseAll(): Promise<void> {
    for (const w of this.waiting.splice(0)) w();
    await settle();
  }
}
