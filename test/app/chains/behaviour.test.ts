import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { principalBehaviour } from '../../../src/app/chains/behaviour.js';
import { TABLES, chainKey, executionKey } from '../../../src/app/chains/records.js';
import { etlWorkflow } from '../../fixtures/tasks/builders.js';

describe('the Chain API\'s behaviour model', () => {
  it('learns from the principal\'s own executions only, and falls back to the table without them', async () => {
    const store = new SqliteStateStore(':memory:');
    const wf = etlWorkflow();
    const add = async (principalId: string, chainId: string, variants: string[], status = 'succeeded'): Promise<void> => {
      await store.put(TABLES.chains, chainKey(principalId, chainId), { chainId, principalId, source: 'catalog', workflow: wf, createdAtSec: 0 });
      for (const [i, variant] of variants.entries()) await store.put(TABLES.executions, executionKey(principalId, chainId, `e${i}`), { executionId: `e${i}`, chainId, principalId, status, variant });
    };
    await add('alice', 'c1', ['on-demand', 'on-demand', 'on-demand']);
    await add('alice', 'c2', ['spot'], 'queued'); // not run yet: not counted
    await add('alice/x', 'c3', Array.from({ length: 20 }, () => 'spot')); // a principal whose id extends alice's
    await add('bob', 'c4', Array.from({ length: 50 }, () => 'spot'));
    const alice = await principalBehaviour(store, 'alice', wf, { spot: 0.9 });
    expect(alice({ principalId: 'alice', workflow: 'etl', variant: 'on-demand' })).toBeCloseTo(4 / 5, 12);
    expect(alice({ principalId: 'alice', workflow: 'etl', variant: 'spot' })).toBeCloseTo(1 / 5, 12);
    const carol = await principalBehaviour(store, 'carol', wf, { spot: 0.9 });
    expect(carol({ principalId: 'carol', workflow: 'etl', variant: 'spot' })).toBe(0.9);
    expect(carol({ principalId: 'carol', workflow: 'etl', variant: 'on-demand' })).toBeUndefined();
    await store.close();
  });
});
