import { describe, expect, it } from 'vitest';
import { runStepMessage, StepError } from '../../../src/app/worker/step-runner.js';
import { STEP_ERRORS, STEP_MESSAGE_VERSION, type StepMessage } from '../../../src/core/engine/index.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import type { Executor } from '../../../src/ports/executor.js';
import { ManualClock, settle } from '../../fakes/manual-clock.js';

const task = TaskDefinitionSchema.parse({
  task_id: 'slow', executable_code_location: 'module:./slow.ts#run', resource_requirements: { vcpu: 1, memoryGiB: 1 }, timeoutSec: 30,
});
const msg: StepMessage = {
  v: STEP_MESSAGE_VERSION, kind: 'run', workflow: 'w', variant: 'v', taskId: 'slow', poolId: 'od', chainId: 'c', executionName: 'e1',
  heartbeatSec: 60, timeoutSec: 300, input: {},
};

/** An executor whose step runs until aborted (it honours its signal). */
const untilAborted: Pick<Executor, 'run'> = {
  run: (_t, _i, opts) => new Promise((_res, rej) => opts?.signal?.addEventListener('abort', () => rej(opts.signal!.reason), { once: true })),
};

describe('step limits on the injected clock', () => {
  it('times a step out after its task limit of clock time, not before, with no real wait', async () => {
    const clock = new ManualClock(1000);
    let outcome: unknown;
    const run = runStepMessage({ executor: untilAborted, clock }, msg, task, new AbortController().signal).catch((e: unknown) => { outcome = e; });
    await clock.advanceMs(29_999);
    expect(outcome).toBeUndefined();
    await clock.advanceMs(1);
    await run;
    await settle();
    expect(outcome).toBeInstanceOf(StepError);
    expect((outcome as StepError).errorName).toBe(STEP_ERRORS.timeout);
    expect((outcome as StepError).message).toMatch(/exceeded 30 s/);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancels the limit timer when the step finishes first', async () => {
    const clock = new ManualClock(1000);
    const quick: Pick<Executor, 'run'> = { run: async () => ({ ok: true }) };
    const r = await runStepMessage({ executor: quick, clock }, msg, task, new AbortController().signal);
    expect(JSON.parse(r.outputJson)).toEqual({ ok: true });
    expect(clock.pendingTimers()).toBe(0);
  });
});
