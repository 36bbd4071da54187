/**
 * Engine overhead benchmark: steps per second through the local engine (aws-local-stepfunctions)
 * with two in-process pool workers on in-memory queues and an executor that returns a minimal output
 * valid for the task's output_schema (witness), so the figure is the
 * engine + worker + queue overhead per step, not task work; and the latency of `start` (deploy once,
 * then start with an idempotent name). Each of the three WfCommons golden traces (montage 0.5°,
 * 1000genome, nf-core bacass) is run R times, one at a time.
 *
 * Run: npx tsx bench/engine.bench.ts   (ENGINE_BENCH_RUNS=5 sets R). Prints a table; figures go to docs/engine.md by hand.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readWorkflowTraceFile } from '../src/adapters/files/wfformat-reader.js';
import { assembleDag } from '../src/core/compose/index.js';
import { compileVariant, executionInput, executionName } from '../src/core/engine/index.js';
import { LocalWorkflowEngine } from '../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../src/adapters/engine/memory-task-queue.js';
import { PoolWorker } from '../src/app/worker/pool-worker.js';
import { silentLogger } from '../src/ports/logger.js';
import { witness } from '../src/adapters/schema/ajv-schema-checker.js';
import { systemClock } from '../src/adapters/clock/system-clock.js';

const DATA = resolve(process.cwd(), process.env.PRESCALE_DATA_DIR ?? '../shared/data', 'workflows');
const RUNS = Number(process.env.ENGINE_BENCH_RUNS ?? 5);
const TRACES = ['pegasus/montage/montage-chameleon-2mass-005d-001.json', 'pegasus/1000genome/1000genome-chameleon-2ch-100k-001.json', 'nextflow/bacass-dirt02-001.json'];
const QUEUE = 'local://pool';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)];

async function main(): Promise<void> {
  const rows: string[] = [];
  const startMs: number[] = [];
  for (const file of TRACES) {
    const trace = await readWorkflowTraceFile(resolve(DATA, file));
    const v = trace.workflow.variants[0];
    const m = compileVariant(assembleDag(trace.workflow.name, v), { pools: { [v.defaultPool]: { kind: 'sqs', queueUrl: QUEUE } } });
    const queue = new MemoryTaskQueue();
    const engine = new LocalWorkflowEngine({ queue: () => queue });
    const byId = new Map(v.tasks.map((t) => [t.task_id, t]));
    const workers = [0, 1].map((i) => new PoolWorker({
      poolId: v.defaultPool, queue, callbacks: engine, executor: { run: async (t) => witness(t.output_schema as never) }, tasks: async (msg) => byId.get(msg.taskId),
      events: { append: async () => undefined }, clock: systemClock, logger: silentLogger, vcpu: 1024, instanceId: `w${i}`,
    }, { receiveWaitSec: 1 }));
    for (const w of workers) void w.run();
    const ref = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const { executionRef } = await engine.start(ref, executionName(trace.id, `run-${r}`), executionInput(m, trace.id, {}));
      startMs.push(performance.now() - t0);
      const d = await engine.waitForClose(executionRef);
      if (d.status !== 'SUCCEEDED') throw new Error(`${file}: ${d.status} ${d.error ?? ''} ${d.cause ?? ''}`);
      rates.push(trace.tasks.length / ((performance.now() - t0) / 1000));
    }
    await Promise.all(workers.map((w) => w.stop()));
    rows.push(`| ${trace.id} | ${trace.tasks.length} | ${m.layers.length} | ${median(rates).toFixed(1)} |`);
  }
  process.stdout.write(`node ${process.version}, ${RUNS} runs per trace, 2 in-process workers, executor returns a schema witness\n\n`);
  process.stdout.write('| trace | steps | layers | steps/s (median) |\n|---|---|---|---|\n');
  process.stdout.write(`${rows.join('\n')}\n\n`);
  process.stdout.write(`engine.start latency: median ${median(startMs).toFixed(2)} ms, p99 ${p99(startMs).toFixed(2)} ms (${startMs.length} starts)\n`);
}

await main();
