import { describe, expect, it } from 'vitest';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import { stateCacheContract } from './state-cache-contract.js';
import { ManualClock } from '../../fakes/manual-clock.js';

const clock = new ManualClock(1000);
stateCacheContract('in-memory LRU cache', {
  make: async () => new LruStateCache({ clock }),
  pass: async (sec) => {
    clock.advanceTo(clock.nowSec() + sec);
  },
});

describe('in-memory LRU cache limits', () => {
  it('evicts the least recently used entries beyond its byte limit', async () => {
    const c = new LruStateCache({ maxBytes: 30, clock });
    await c.set('a', Buffer.alloc(10), 60);
    await c.set('b', Buffer.alloc(10), 60);
    await c.set('c', Buffer.alloc(10), 60);
    await c.get('a'); // a is now the most recent
    await c.set('d', Buffer.alloc(10), 60);
    expect(await c.get('b')).toBeUndefined();
    expect(await c.get('a')).toBeDefined();
    expect(await c.usedBytes()).toBe(30);
  });

  it('evicts beyond its entry limit', async () => {
    const c = new LruStateCache({ maxEntries: 2, clock });
    for (const k of ['a', 'b', 'c']) await c.set(k, Buffer.from(k), 60);
    expect(await c.get('a')).toBeUndefined();
    expect((await c.get('c'))?.toString()).toBe('c');
  });
});
