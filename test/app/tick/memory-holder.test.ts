/**
 * The tick memory's store items (app/tick/state.ts TickMemoryHolder): a memory larger than one item
 * is cut into chunks and read back whole; a torn save, a save of another tick and a memory past the
 * chunk limit are never restored (the tick rebuilds from events), each with a log line saying why.
 */
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { TickMemoryHolder, TICK_MEMORY_KEY, TICK_STATE_TABLE } from '../../../src/app/tick/state.js';
import { LearningHooks } from '../../../src/app/history/learning-hooks.js';
import { createTickMemory, type TickMemory } from '../../../src/core/tick/memory.js';
import { serializeTickMemory } from '../../../src/core/tick/memory-codec.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import type { Logger } from '../../../src/ports/logger.js';
import { task, workflow } from '../../builders/tasks.js';

const wf = workflow('etl', [task('a'), task('b', ['a'])]);
const T = 1_000_000;

function memoryWithChains(n: number): TickMemory {
  const m = { ...createTickMemory([wf], false), state: { lastTickSec: T, plannerMemory: {} }, lastEventSec: T };
  m.chains.ingest(Array.from({ length: n }, (_, i) => ({ chainId: `chain-${i}`, workflow: 'etl', variant: 'default', taskId: 'a', taskType: 'a', kind: 'started' as const, atSec: T - i })));
  return m;
}

function logged(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const add = (m: string, f?: Record<string, unknown>) => { lines.push(`${m} ${JSON.stringify(f ?? {})}`); };
  return { logger: { debug() {}, info: add, warn: add, error: add }, lines };
}

describe('tick memory holder', () => {
  it('cuts a memory larger than one item into chunks, each within the item cap, and restores it whole', async () => {
    const store = new SqliteStateStore(':memory:');
    const memory = memoryWithChains(200);
    const model = createNextStepModel('markov1');
    await new TickMemoryHolder(store, undefined, 4000, 64).save(memory, model, new LearningHooks(undefined));
    const head = (await store.get<{ chunks: number; chars: number }>(TICK_STATE_TABLE, TICK_MEMORY_KEY))!.value;
    expect(head.chunks).toBeGreaterThan(3);
    for (let i = 0; i < head.chunks; i++) expect(JSON.stringify((await store.get(TICK_STATE_TABLE, `${TICK_MEMORY_KEY}#${i}`))!.value).length).toBeLessThanOrEqual(4000);
    const r = await new TickMemoryHolder(store, undefined, 4000, 64).restore(memory.state, [wf], false, new LearningHooks(undefined));
    expect(r).toBeDefined();
    expect(JSON.stringify(serializeTickMemory(r!.memory, { nextStep: r!.nextStep }))).toBe(JSON.stringify(serializeTickMemory(memory, { nextStep: model })));
    expect(r!.memory.chains.chains.size).toBe(200);
  });

  it('restores only on the first call of a process, and only the save of the tick the state comes from', async () => {
    const store = new SqliteStateStore(':memory:');
    const memory = memoryWithChains(3);
    await new TickMemoryHolder(store).save(memory, createNextStepModel('markov1'), new LearningHooks(undefined));
    const holder = new TickMemoryHolder(store);
    expect(await holder.restore(memory.state, [wf], false, new LearningHooks(undefined))).toBeDefined();
    expect(await holder.restore(memory.state, [wf], false, new LearningHooks(undefined))).toBeUndefined();
    const { logger, lines } = logged();
    expect(await new TickMemoryHolder(store, logger).restore({ lastTickSec: T + 60, plannerMemory: {} }, [wf], false, new LearningHooks(undefined))).toBeUndefined();
    expect(lines).toEqual([`tick memory not restored: rebuilt from events {"reason":"saved through ${T}, the state's last tick is ${T + 60}"}`]);
  });

  it('never restores a torn save (a chunk of another save) and says so', async () => {
    const store = new SqliteStateStore(':memory:');
    const holder = new TickMemoryHolder(store, undefined, 4000, 64);
    await holder.save(memoryWithChains(200), createNextStepModel('markov1'), new LearningHooks(undefined));
    await store.put(TICK_STATE_TABLE, `${TICK_MEMORY_KEY}#1`, { throughSec: T - 60, text: 'x' });
    const { logger, lines } = logged();
    expect(await new TickMemoryHolder(store, logger, 4000, 64).restore({ lastTickSec: T, plannerMemory: {} }, [wf], false, new LearningHooks(undefined))).toBeUndefined();
    expect(lines).toEqual(['tick memory not restored: rebuilt from events {"error":"memory chunk 1 missing or of another save"}']);
  });

  it('does not save a memory past the chunk limit, warns, and the older save is never restored next to the new state', async () => {
    const store = new SqliteStateStore(':memory:');
    await new TickMemoryHolder(store, undefined, 4000, 2).save(memoryWithChains(2), createNextStepModel('markov1'), new LearningHooks(undefined));
    const { logger, lines } = logged();
    const big = { ...memoryWithChains(500), state: { lastTickSec: T + 60, plannerMemory: {} } };
    await new TickMemoryHolder(store, logger, 4000, 2).save(big, createNextStepModel('markov1'), new LearningHooks(undefined));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tick memory not saved: too large \(a new process rebuilds it from events\) \{"chars":\d+,"maxChars":4000\}$/);
    expect(await new TickMemoryHolder(store, undefined, 4000, 2).restore(big.state, [wf], false, new LearningHooks(undefined))).toBeUndefined();
  });
});
