import { describe, expect, it } from 'vitest';
import { pooledRuntimeByType } from '../../../src/core/signals/trace-pool.js';
import { parseWfFormat } from '../../../src/core/signals/wfformat.js';
import { wfDoc15 } from '../../builders/wfformat.js';

describe('pooledRuntimeByType', () => {
  it('pools task runtimes across runs of one workflow and keeps workflows apart', () => {
    const run1 = parseWfFormat(wfDoc15([{ id: 'a_ID1', runtimeSec: 10 }, { id: 'b_ID2', parents: ['a_ID1'], runtimeSec: 100 }]), 'flow-x-001.json');
    const run2 = parseWfFormat(wfDoc15([{ id: 'a_ID1', runtimeSec: 30 }]), 'flow-x-002.json');
    const other = parseWfFormat(wfDoc15([{ id: 'a_ID1', runtimeSec: 7 }]), 'other-x-001.json');
    const pooled = pooledRuntimeByType([run2, other, run1]);
    expect(Object.keys(pooled)).toEqual(['flow', 'other']);
    expect(pooled['flow']!['a']).toEqual({ meanSec: 20, p50Sec: 20, p95Sec: 29, samplesSec: [10, 30] });
    expect(pooled['flow']!['b']!.samplesSec).toEqual([100]);
    expect(pooled['other']!['a']!.samplesSec).toEqual([7]);
  });
});
