import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { ExecutionHistory } from '../../../src/app/history/execution-history.js';
import { createNextStepModel, restoreNextStepModel } from '../../../src/core/predict/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { VersionConflictError, type StateStore } from '../../../src/ports/state-store.js';
import { chainEvents } from '../../unit/predict/events.js';

const DAY = 86_400;
const NOW = 1_800_000_000;

describe('execution history in the SQLite state store', () => {
  it('stores events and reads them back by time window', async () => {
    const store = new SqliteStateStore(':memory:');
    const h = new ExecutionHistory(store);
    await h.record(chainEvents({ chainId: 'old', steps: ['a', 'x'], t0: NOW - 20 * DAY }));
    await h.record(chainEvents({ chainId: 'new', steps: ['a', 'b'], t0: NOW - DAY }));
    expect((await h.window(NOW, 7 * DAY)).map((e) => e.chainId)).toEqual(['new', 'new', 'new', 'new']);
    expect((await h.window(NOW, 30 * DAY)).length).toBe(8);
    const g = await h.graph(NOW, 30 * DAY);
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['a>b', 'a>x']);
    await store.close();
  });

  it('rejects bad events whole, naming the entry and field', async () => {
    const store = new SqliteStateStore(':memory:');
    const h = new ExecutionHistory(store);
    const good = chainEvents({ chainId: 'c', steps: ['a'] });
    await expect(h.record([...good, { ...good[0], kind: 'progress', intensity: 3 }], 'events.json')).rejects.toThrow(InputError);
    await expect(h.record([...good, { ...good[0], kind: 'progress', intensity: 3 }], 'events.json')).rejects.toThrow(/events\.json: \[2\]\.intensity/);
    expect(await h.window(NOW + 10 * DAY, 365 * DAY)).toEqual([]);
    await store.close();
  });

  it('feeds a saved model only the new events, keeping chains open across saves', async () => {
    const store = new SqliteStateStore(':memory:');
    const h = new ExecutionHistory(store);
    const fresh = () => createNextStepModel('vom', { contexts: [] });
    const [first, ...rest] = [0, 1, 2, 3].map((i) => chainEvents({ chainId: `c${i}`, steps: ['a', 'x', 'b'], t0: NOW + i * 1000 }));
    // The first chain arrives in two halves, with a save in between.
    await h.record(first.slice(0, 2));
    expect((await h.catchUp('vom', fresh, restoreNextStepModel)).newEvents).toBe(2);
    await h.record([...first.slice(2), ...rest.flat()]);
    const { model, newEvents } = await h.catchUp('vom', fresh, restoreNextStepModel);
    expect(newEvents).toBe(first.length - 2 + rest.flat().length);
    expect((await h.catchUp('vom', fresh, restoreNextStepModel)).newEvents).toBe(0);
    // c0's "x" was learned after "a" (its history survived the save), never as a first step.
    const p = model.predict({ chainId: 'q', workflow: 'wf', history: [], nowSec: NOW + 5000 }, 1);
    expect(p[0].taskType).toBe('a');
    expect(model.predict({ chainId: 'q', workflow: 'wf', history: ['a', 'x'], nowSec: NOW + 5000 }, 1)[0].taskType).toBe('b');
    await store.close();
  });

  it('refuses to save over a model another writer advanced meanwhile', async () => {
    const store = new SqliteStateStore(':memory:');
    const h = new ExecutionHistory(store);
    await h.record(chainEvents({ chainId: 'c', steps: ['a', 'b'] }));
    await h.catchUp('m', () => createNextStepModel('markov1'), restoreNextStepModel);
    await h.record(chainEvents({ chainId: 'd', steps: ['a', 'b'] }));
    // Another tick saves the model between this tick's read and its write.
    const racing: StateStore = {
      get: async <T>(t: string, k: string) => {
        const v = await store.get<T>(t, k);
        await store.put(t, k, v!.value);
        return v;
      },
      put: (t, k, v, o) => store.put(t, k, v, o),
      delete: (t, k) => store.delete(t, k),
      list: (t, o) => store.list(t, o),
      append: (l, e) => store.append(l, e),
      readLog: (l, o) => store.readLog(l, o),
      close: () => store.close(),
    };
    const h2 = new ExecutionHistory(racing);
    await expect(h2.catchUp('m', () => createNextStepModel('markov1'), restoreNextStepModel)).rejects.toThrow(VersionConflictError);
    await store.close();
  });
});
