/**
 * Progress of `command:` tasks (issue 22, intensity): an operator-registered command writes fractions,
 * one per line, to the pipe on file descriptor 3 (`PRESCALE_PROGRESS_FD`); the pool worker writes
 * them as `progress` events into the execution-events log (a real SQLite state store) with the same
 * limits as `ctx.progress` of `module:` tasks. Garbage, signs, exponents, values outside [0, 1] and
 * overlong lines are ignored; stdout stays the output document.
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import { compileVariant, executionInput, executionName } from '../../../src/core/engine/index.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { LocalWorkflowEngine } from '../../../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../../../src/adapters/engine/memory-task-queue.js';
import { LocalExecutor, MAX_PROGRESS_LINE_BYTES, progressLineParser } from '../../../src/adapters/executor/local-executor.js';
import { TaskRootPolicy } from '../../../src/adapters/executor/code-policy.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { EXECUTION_EVENTS_LOG, PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { MAX_PROGRESS_EVENTS_PER_STEP, progressReporter } from '../../../src/app/worker/progress-reporter.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { Executor } from '../../../src/ports/executor.js';
import { task, workflow } from '../../builders/tasks.js';
import { clockReading, ManualClock, settle } from '../../fakes/manual-clock.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-a';
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/**
 * The executor with a tap on the progress stream: `next(f)` resolves once the command's pipe has
 * delivered fraction `f` to the worker (accepted or rate-limited), an event to wait on instead of
 * a real sleep.
 */
function tappedExecutor(inner: LocalExecutor): Pick<Executor, 'run'> & { next(fraction: number): Promise<void> } {
  const seen: number[] = [];
  const waiters: Array<{ fraction: number; resolve: () => void }> = [];
  return {
    run: (t, input, opts) => inner.run(t, input, {
      ...opts,
      progress: (f) => {
        opts.progress?.(f);
        seen.push(f);
        for (const w of waiters.filter((x) => x.fraction === f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
      },
    }),
    next: (fraction) => (seen.includes(fraction) ? Promise.resolve() : new Promise<void>((resolve) => { waiters.push({ fraction, resolve }); })),
  };
}

/** Opens the fifo for writing without blocking: throws ENXIO while no reader has it open. */
async function releaseIfWaiting(fifo: string): Promise<void> {
  try {
    const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(fd, 'go\n');
    closeSync(fd);
  } catch { /* nobody waits */ }
}

function taskRoot(script: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prescale-cmd-progress-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'train.sh'), script);
  return dir;
}

// garbage first (ignored; the overlong line is a fraction in range, 0.000…07), then 0.3 (an event), 0.4 inside the 5 s rate limit (dropped);
// it then waits for the test's line on the fifo `go` (the test advances the clock first), writes 0.9 split over two writes (an event)
// and the output document on stdout
const TRAIN = `cat > /dev/null
printf 'abc\\n-0.2\\n1.5\\nNaN\\n1e-1\\n0.5abc\\n+0.5\\n0x1\\n\\n' >&3
printf '0.%s7\\n' "$(head -c 5000 /dev/zero | tr '\\0' 0)" >&3
printf '0.3\\n' >&3
printf '0.4\\n' >&3
read line < go
printf '0.' >&3; sleep 0.1; printf '9\\n' >&3
echo '{"trained": true}'
`;

describe('command: tasks report progress on file descriptor 3', () => {
  it('a registered command\'s progress lines become progress events in the events log; garbage and rate-limited lines do not', async () => {
    const dir = taskRoot(TRAIN);
    const fifo = path.join(dir, 'go');
    execFileSync('mkfifo', [fifo]);
    const location = 'command:sh ./train.sh';
    const wf = workflow('long', [
      task('train', [], { executable_code_location: location, runtime: { meanSec: 1000, p50Sec: 1000, p95Sec: 3000, samplesSec: [] }, timeoutSec: 7200 }),
    ], [{ name: 'main', defaultPool: 'a' }]);
    const queue = new MemoryTaskQueue();
    const engine = new LocalWorkflowEngine({ queue: (u) => (u === QUEUE ? queue : undefined) });
    const store = new SqliteStateStore(':memory:');
    const clock = new ManualClock(1000);
    const executor = tappedExecutor(new LocalExecutor(new TaskRootPolicy(dir, new Set([location]))));
    const worker = new PoolWorker({
      poolId: 'a', queue, callbacks: engine, executor, clock, logger: silentLogger, vcpu: 4, events: store,
      tasks: async (m) => wf.variants[0].tasks.find((t) => t.task_id === m.taskId),
    }, { receiveWaitSec: 1 });
    const running = worker.run();
    const log = (): Promise<ExecutionEvent[]> => store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG);
    try {
      const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { a: { kind: 'sqs', queueUrl: QUEUE } } });
      const ref = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
      const { executionRef } = await engine.start(ref, executionName('chain-1', 'k1'), executionInput(m, 'chain-1', {}));
      await executor.next(0.4); // the worker has seen 0.3 and 0.4 (in that order on the pipe)
      await settle();
      expect((await log()).filter((e) => e.kind === 'progress').map((e) => [e.intensity, e.atSec])).toEqual([[0.3, 1000]]);
      await clock.advanceMs(10_000);
      await writeFile(fifo, 'go\n'); // opens when the command reads the fifo, and lets it go on
      expect((await engine.waitForClose(executionRef)).status).toBe('SUCCEEDED');
      const events = (await log()).filter((e) => e.taskId === 'train');
      expect(events.map((e) => e.kind)).toEqual(['started', 'progress', 'progress', 'finished']);
      expect(events.filter((e) => e.kind === 'progress').map((e) => e.intensity)).toEqual([0.3, 0.9]);
      expect(events[1]).toMatchObject({ chainId: 'chain-1', workflow: 'long', variant: 'main', poolId: 'a' });
    } finally {
      await releaseIfWaiting(fifo);
      await worker.stop();
      await running;
      await store.close();
    }
  }, 30_000);

  it(`a command gets at most ${MAX_PROGRESS_EVENTS_PER_STEP} progress events per attempt, as module tasks do`, async () => {
    const dir = taskRoot(`cat > /dev/null\nawk 'BEGIN { for (i = 1; i <= 150; i++) print i / 1000 }' >&3\necho '{}'\n`);
    const location = 'command:sh ./train.sh';
    let sec = 0;
    const stepping = clockReading(() => (sec += 10)); // 10 s between reports: never rate-limited
    const written: number[] = [];
    const reporter = progressReporter(async (f) => { written.push(f); }, stepping, silentLogger, 'train');
    const out = await new LocalExecutor(new TaskRootPolicy(dir, new Set([location]))).run(task('train', [], { executable_code_location: location }), {}, { progress: reporter.report });
    await reporter.close();
    expect(out).toEqual({});
    expect(written).toHaveLength(MAX_PROGRESS_EVENTS_PER_STEP);
    expect(written.slice(0, 3)).toEqual([0.001, 0.002, 0.003]);
  });

  it('a command that does not listen to fd 3, or writes to it while nobody listens, still runs', async () => {
    const dir = taskRoot(`cat > /dev/null\necho 0.5 >&3\necho '{"ok": 1}'\n`);
    const location = 'command:sh ./train.sh';
    const out = await new LocalExecutor(new TaskRootPolicy(dir, new Set([location]))).run(task('train', [], { executable_code_location: location }), {}, {});
    expect(out).toEqual({ ok: 1 });
  });
});

describe('progress line parser', () => {
  it('takes plain decimal numbers one per line, across chunk boundaries, and ignores the rest', () => {
    const got: number[] = [];
    const feed = progressLineParser((f) => got.push(f));
    feed(Buffer.from('0.2\n 0.25 \r\nabc\n-1\n1e0\n.5\n0.'));
    feed(Buffer.from('75\n'));
    feed(Buffer.from(`0.${'0'.repeat(MAX_PROGRESS_LINE_BYTES)}`)); // a fraction in range, but overlong: ignored whole
    feed(Buffer.from('5\n0.6\n'));
    expect(got).toEqual([0.2, 0.25, 0.5, 0.75, 0.6]);
  });
});
