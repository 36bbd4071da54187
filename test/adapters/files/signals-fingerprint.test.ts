import { describe, expect, it } from 'vitest';
import { formatSignalsSummary, summariseSignals } from '../../../src/cli/commands/signals.js';
import { InputError } from '../../../src/core/model/errors.js';
import { runtimeEstimates, workflowFingerprint } from '../../../src/core/predict/fingerprint.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { tempFiles } from './tmp-files.js';
import { join } from 'node:path';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { FingerprintHooks } from '../../../src/app/history/fingerprint-hooks.js';
import { FingerprintConfigSchema } from '../../../src/core/model/learning-config.js';

const { write, dir } = tempFiles('signals-fingerprint');

/** `n` chains a → b of workflow `wf`, one per hour from `t0`; a runs 60 s and outputs 1000 bytes. */
function events(n: number, t0 = 1_000_000): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * 3600;
    const base = { chainId: `c${i}`, workflow: 'wf' };
    out.push({ ...base, taskId: 'a', taskType: 'a', kind: 'started', atSec: t });
    out.push({ ...base, taskId: 'a', taskType: 'a', kind: 'finished', atSec: t + 60, outputBytes: 1000 });
    out.push({ ...base, taskId: 'b', taskType: 'b', kind: 'started', atSec: t + 61 });
    out.push({ ...base, taskId: 'b', taskType: 'b', kind: 'finished', atSec: t + 61 + 30 + i });
  }
  return out;
}

describe('workflow fingerprint (prescale signals --fingerprint)', () => {
  it('rebuilds the graph over the rolling window: runtime distributions, edge probability, delay and data size, bundles', () => {
    const fp = workflowFingerprint(events(10), 'wf', 1_000_000 + 10 * 3600);
    expect(fp.chains).toBe(10);
    expect(fp.nodes.map((n) => [n.taskType, n.runs, n.runtimeSec.p50])).toEqual([['a', 10, 60], ['b', 10, 34.5]]);
    expect(fp.edges).toHaveLength(1);
    expect(fp.edges[0]).toMatchObject({ from: 'a', to: 'b', transitions: 10, probability: 1 });
    expect(fp.edges[0].dataBytes.p50).toBe(1000);
    expect(fp.bundles[0]).toMatchObject({ root: 'a', members: ['b'], confidence: 1 });
    expect(runtimeEstimates(fp).get('a')).toMatchObject({ runs: 10, p50Sec: 60 });
    // a 3-hour window keeps only the last three chains
    expect(workflowFingerprint(events(10), 'wf', 1_000_000 + 10 * 3600, 3 * 3600).chains).toBe(3);
  });

  it('reads JSON-lines event files and prints the fingerprint; a workflow without chains is a one-line error naming --fingerprint', async () => {
    const file = write('events.jsonl', events(4).map((e) => JSON.stringify(e)).join('\n'));
    const s = await summariseSignals({ events: [file], fingerprint: 'wf', windowDays: '30' });
    expect(s.fingerprint?.chains).toBe(4);
    const text = formatSignalsSummary(s);
    expect(text).toContain('fingerprint of wf: 4 chain(s)');
    expect(text).toMatch(/a\s+b\s+4\s+1\.000/);
    await expect(summariseSignals({ events: [file], fingerprint: 'other' })).rejects.toThrow(/--fingerprint: got "other", expected a workflow with chains in the last 7 day\(s\): wf/);
    await expect(summariseSignals({ events: [file], fingerprint: 'wf', windowDays: '0' })).rejects.toThrow(InputError);
    const bad = write('bad.jsonl', '{"chainId": 1}\n');
    await expect(summariseSignals({ events: [bad], fingerprint: 'wf' })).rejects.toThrow(InputError);
  });

  it('--db shows the fingerprint the controller persisted in its state store; a store without one is a one-line error naming --db', async () => {
    const db = join(dir(), 'state.db');
    const store = new SqliteStateStore(db);
    const hooks = new FingerprintHooks(FingerprintConfigSchema.parse({ windowDays: 30 }), store);
    hooks.observe(events(12), 1_000_000 + 12 * 3600);
    await hooks.save();
    await store.close();
    const s = await summariseSignals({ fingerprint: 'wf', db });
    expect(s.fingerprint).toMatchObject({ workflow: 'wf', chains: 12, windowSec: 30 * 86_400, persisted: true });
    expect(s.fingerprint!.edges[0]).toMatchObject({ from: 'a', to: 'b', transitions: 12, probability: 1 });
    const text = formatSignalsSummary(s);
    expect(text).toContain('30-day window, persisted');
    expect(text).toMatch(/a\s+12\s+0\s+6\d\.\d/);
    await expect(summariseSignals({ fingerprint: 'other', db })).rejects.toThrow(/--fingerprint.*wf/);
    const empty = join(dir(), 'empty.db');
    await new SqliteStateStore(empty).close();
    await expect(summariseSignals({ fingerprint: 'wf', db: empty })).rejects.toThrow(/--db.*persisted fingerprint/);
  });
});
