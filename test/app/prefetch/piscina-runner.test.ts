import { afterAll, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PiscinaPrepareRunner } from '../../../src/adapters/workers/piscina-prepare-runner.js';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import { preCmd, prepTask } from './helpers.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const here = dirname(fileURLToPath(import.meta.url));
const runner = new PiscinaPrepareRunner({ poolSize: 2, baseDir: here });
afterAll(() => runner.close());
const clock = systemClock;

describe('prepare phases in piscina worker threads', () => {
  it('runs more preparations than workers, all of them, and resumes their state', async () => {
    const manager = new PrefetchManager({ runner, cache: new LruStateCache(), clock }, { maxConcurrent: runner.poolSize });
    for (let i = 0; i < 5; i++) expect(manager.submit(preCmd(`c${i}`, 'embed'), prepTask('embed'), { doc: `d${i}`, setupMs: 30 })).toBe(true);
    await manager.idle();
    expect(manager.peakConcurrent).toBe(2);
    for (let i = 0; i < 5; i++) {
      const r = await manager.trigger(`c${i}`, prepTask('embed'), { doc: `d${i}`, setupMs: 30 });
      expect(r.hit).toBe(true);
      expect(JSON.parse(r.preparedState!.toString())).toEqual({ model: `weights-for-d${i}`, warm: true });
      expect(r.savedSetupSec).toBeGreaterThan(0.02);
    }
  });

  it('isolates the live input: the worker mutates only its own copy', async () => {
    const live = { doc: 'x', setupMs: 1 };
    await runner.prepare(prepTask('embed'), live);
    expect(live).toEqual({ doc: 'x', setupMs: 1 });
  });

  it('reports a failing prepare phase as an error and the manager counts it wasted', async () => {
    const manager = new PrefetchManager({ runner, cache: new LruStateCache(), clock }, { maxConcurrent: 2 });
    const task = prepTask('bad', { prepare: 'module:./fixtures/prepare-module.mjs#fails' });
    await expect(runner.prepare(task, {})).rejects.toThrow(/prepare exploded/);
    manager.submit(preCmd('c1', 'bad'), task, {});
    await manager.idle();
    expect(manager.metricsByArm().default).toMatchObject({ prepared: 1, discarded: 1, hits: 0 });
  });

  it('cancels a preparation when its signal aborts', async () => {
    const ac = new AbortController();
    const p = runner.prepare(prepTask('slow'), { doc: 's', setupMs: 2000 }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});
