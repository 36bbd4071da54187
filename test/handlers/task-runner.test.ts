/**
 * The Lambda task runner (burst tier): the handler built from a bundled chain service configuration
 * runs registered catalog tasks only, returns the output the machine's ResultSelector reads from
 * `$.Payload`, writes started/finished/failed events, and throws errors whose name is the engine error
 * the machine's Retry/Catch match.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEP_ERRORS } from '../../src/core/engine/index.js';
import type { ExecutionEvent } from '../../src/core/model/index.js';
import { runLambdaStep } from '../../src/app/worker/lambda-step.js';
import { taskRunnerDeps } from '../../src/handlers/task-runner.js';
import { silentLogger } from '../../src/ports/logger.js';

const CONFIG = resolve(__dirname, '../fixtures/tasks/serve.config.json');
const msg = (over: Record<string, unknown> = {}) => ({
  v: 1, kind: 'run', workflow: 'text-stats', variant: 'spot', taskId: 'normalize', poolId: 'burst', chainId: 'c1',
  executionName: 'c1-0123456789abcdef0123456789abcdef', heartbeatSec: 10, timeoutSec: 30, input: { text: '  Hello   World ' }, ...over,
});

function deps() {
  const events: ExecutionEvent[] = [];
  const base = taskRunnerDeps({ PRESCALE_CHAINS_CONFIG_FILE: CONFIG });
  return { events, d: { ...base, logger: silentLogger, events: { append: async (_log: string, es: readonly unknown[]) => void events.push(...(es as ExecutionEvent[])) } } };
}

describe('Lambda task runner', () => {
  it('runs a registered catalog task and returns its output, with a started and a finished event', async () => {
    const { d, events } = deps();
    await expect(runLambdaStep(d, msg(), 60_000)).resolves.toEqual({ text: 'hello world' });
    expect(events.map((e) => e.kind)).toEqual(['started', 'finished']);
    expect(events[1]).toMatchObject({ chainId: 'c1', taskId: 'normalize', poolId: 'burst', executionName: 'c1-0123456789abcdef0123456789abcdef', setupOutcome: 'none' });
  });

  it('refuses a task the catalog does not register (never runs code a payload names) as Prescale.NotRunnable', async () => {
    const { d, events } = deps();
    await expect(runLambdaStep(d, msg({ taskId: 'rm-rf' }), 60_000)).rejects.toMatchObject({ name: STEP_ERRORS.notRunnable });
    await expect(runLambdaStep(d, { ...msg(), executable_code_location: 'command:rm -rf /' }, 60_000)).rejects.toMatchObject({ name: STEP_ERRORS.schemaViolation });
    expect(events).toEqual([]);
  });

  it('reports an input that breaks the task input schema as Prescale.SchemaViolation, with a failed event', async () => {
    const { d, events } = deps();
    await expect(runLambdaStep(d, msg({ input: { text: 42 } }), 60_000)).rejects.toMatchObject({ name: STEP_ERRORS.schemaViolation });
    expect(events.map((e) => [e.kind, e.error])).toEqual([['started', undefined], ['failed', STEP_ERRORS.schemaViolation]]);
  });

  it('the handler entry runs the step from the bundled configuration', async () => {
    process.env.PRESCALE_CHAINS_CONFIG_FILE = CONFIG;
    try {
      const { handler } = await import('../../src/handlers/task-runner.js');
      await expect(handler(msg({ taskId: 'count', input: undefined, parents: { normalize: { text: 'a b c' } } }), { getRemainingTimeInMillis: () => 60_000 })).resolves.toEqual({ text: 'a b c', words: 3 });
    } finally {
      delete process.env.PRESCALE_CHAINS_CONFIG_FILE;
    }
  });
});
