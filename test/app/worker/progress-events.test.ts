/**
 * Intensity end to end (issue 22): registered step code calls `ctx.progress(fraction)`; the pool
 * worker writes it as a `progress` event into the execution-events log (a real SQLite state store,
 * the log `prescale serve` and the controller read); the tick's ChainView of that log carries the
 * step's latest progress and the chain book expects the step to end when the progress says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import { compileVariant, executionInput, executionName } from '../../../src/core/engine/index.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { LocalWorkflowEngine } from '../../../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../../../src/adapters/engine/memory-task-queue.js';
import { LocalExecutor } from '../../../src/adapters/executor/local-executor.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { EXECUTION_EVENTS_LOG, PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { buildChainView, stepKey } from '../../../src/core/tick/chain-view.js';
import { ChainBook, TaskCatalog } from '../../../src/core/tick/chain-book.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { task, workflow } from '../../builders/tasks.js';
import { ManualClock, settle } from '../../fakes/manual-clock.js';
import { AppendedLog } from '../../fakes/appended-log.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-a';
const gates = globalThis as unknown as { __progressGate1?: Promise<void>; __progressGate2?: Promise<void> };
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('step progress reaches the tick', () => {
  it("a step's ctx.progress(0.8) becomes a progress event the tick's view carries, and the step is expected to end when it says", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prescale-progress-'));
    dirs.push(dir);
    // the step reports bad values (ignored), then 80 % once time has passed, then a repeat inside the rate limit (dropped)
    writeFileSync(path.join(dir, 'train.mjs'), 'export async function run(input, ctx) { ctx.progress(Number.NaN); ctx.progress(7); await globalThis.__progressGate1; ctx.progress(0.8); ctx.progress(0.81); await globalThis.__progressGate2; return { trained: true }; }\n');
    writeFileSync(path.join(dir, 'evaluate.mjs'), 'export async function run() { return { ok: true }; }\n');
    const wf = workflow('long', [
      task('train', [], { executable_code_location: 'module:./train.mjs#run', runtime: { meanSec: 1000, p50Sec: 1000, p95Sec: 3000, samplesSec: [] }, timeoutSec: 7200 }),
      task('evaluate', ['train'], { executable_code_location: 'module:./evaluate.mjs#run' }),
    ], [{ name: 'main', defaultPool: 'a' }]);
    let open1!: () => void;
    let open2!: () => void;
    gates.__progressGate1 = new Promise((r) => { open1 = r; });
    gates.__progressGate2 = new Promise((r) => { open2 = r; });
    const queue = new MemoryTaskQueue();
    const engine = new LocalWorkflowEngine({ queue: (u) => (u === QUEUE ? queue : undefined) });
    const store = new SqliteStateStore(':memory:');
    const clock = new ManualClock(1000);
    const appended = new AppendedLog(store);
    const worker = new PoolWorker({
      poolId: 'a', queue, callbacks: engine, executor: new LocalExecutor(dir), clock, logger: silentLogger, vcpu: 4, events: appended,
      tasks: async (m) => wf.variants[0].tasks.find((t) => t.task_id === m.taskId),
    }, { receiveWaitSec: 1 });
    const running = worker.run();
    const log = (): Promise<ExecutionEvent[]> => store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG);
    try {
      const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { a: { kind: 'sqs', queueUrl: QUEUE } } });
      const ref = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
      const { executionRef } = await engine.start(ref, executionName('chain-1', 'k1'), executionInput(m, 'chain-1', {}));
      await appended.when<ExecutionEvent>(EXECUTION_EVENTS_LOG, (e) => e.taskId === 'train' && e.kind === 'started');
      await clock.advanceMs(600_000); // 600 s of step time on the worker's clock
      open1();
      await appended.when<ExecutionEvent>(EXECUTION_EVENTS_LOG, (e) => e.kind === 'progress');
      await settle();
      const events = await log();
      const progress = events.filter((e) => e.kind === 'progress');
      expect(progress).toHaveLength(1);
      expect(progress[0]).toMatchObject({ chainId: 'chain-1', workflow: 'long', variant: 'main', taskId: 'train', intensity: 0.8, atSec: 1600, poolId: 'a' });
      // the tick's view of the log, read as the tick reads it
      const view = buildChainView(await store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG, { fromSec: 0, toSec: 1700 }), 1700);
      expect(view.progressByKey.get(stepKey('chain-1', 'train'))).toEqual({ fraction: 0.8, atSec: 1600 });
      const book = new ChainBook(new TaskCatalog([wf]));
      book.ingest(view.events);
      const c = book.chains.get('chain-1')!;
      // without progress: the median end (1000 + 1000 s); with it: 1600 + 600 × 0.2 / 0.8 = 1750 s
      expect(book.schedule(c, 1700, false).get('train')!.releaseSec).toBe(2000);
      expect(book.schedule(c, 1700).get('train')!.releaseSec).toBe(1750);
      open2();
      expect((await engine.waitForClose(executionRef)).status).toBe('SUCCEEDED');
      const kinds = (await log()).filter((e) => e.taskId === 'train').map((e) => e.kind);
      expect(kinds).toEqual(['started', 'progress', 'finished']);
    } finally {
      open1();
      open2();
      await worker.stop();
      await running;
      await store.close();
    }
  });
});
