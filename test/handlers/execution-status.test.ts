/**
 * Step Functions "Execution Status Change" events → the execution-events log: a started execution
 * submits every step of its variant (the tick's chain book then knows the chain), an execution that
 * fails / times out / is aborted fails its steps, other machines' events and malformed events are ignored.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executionStatusEvents, type MachineSteps } from '../../src/app/history/execution-status.js';
import { ChainBook } from '../../src/core/tick/chain-book.js';
import type { ExecutionEvent } from '../../src/core/model/index.js';
import { loadMachines, recordStatusChange } from '../../src/handlers/execution-status.js';

const machine: MachineSteps = {
  workflow: 'etl', variant: 'spot',
  steps: [
    { taskId: 'extract', taskType: 'extract', poolId: 'web', vcpu: 2, memoryGiB: 4 },
    { taskId: 'load', taskType: 'load', poolId: 'web', vcpu: 1, memoryGiB: 2 },
  ],
};
const machines = new Map([['prescale-etl-spot-0123456789abcdef', machine]]);
const ev = (status: string, over: Record<string, unknown> = {}) => ({
  source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change',
  detail: {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:prescale-etl-spot-0123456789abcdef:c1-abc',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:prescale-etl-spot-0123456789abcdef',
    name: 'c1-abc', status, startDate: 1_700_000_000_000, stopDate: status === 'RUNNING' ? null : 1_700_000_060_000,
    input: JSON.stringify({ input: {}, results: {}, meta: { chainId: 'chain/1' } }), error: status === 'FAILED' ? 'Prescale.StepFailed' : null,
    ...over,
  },
});

describe('execution status events', () => {
  it('a started execution submits every step of its variant under the chain id of its start document', () => {
    const out = executionStatusEvents(ev('RUNNING'), machines);
    expect(out).toEqual([
      { chainId: 'chain/1', workflow: 'etl', variant: 'spot', taskId: 'extract', taskType: 'extract', kind: 'submitted', atSec: 1_700_000_000, vcpu: 2, memoryGiB: 4, executionName: 'c1-abc', poolId: 'web' },
      { chainId: 'chain/1', workflow: 'etl', variant: 'spot', taskId: 'load', taskType: 'load', kind: 'submitted', atSec: 1_700_000_000, vcpu: 1, memoryGiB: 2, executionName: 'c1-abc', poolId: 'web' },
    ]);
  });

  it('the submitted and failed steps name the principal of the start document (issue 22: A/B arms by principal); none when empty', () => {
    const input = JSON.stringify({ input: {}, results: {}, meta: { chainId: 'chain/1', principal: 'tenant-1' } });
    expect(executionStatusEvents(ev('RUNNING', { input }), machines).map((e) => e.principal)).toEqual(['tenant-1', 'tenant-1']);
    expect(executionStatusEvents(ev('FAILED', { input }), machines).map((e) => e.principal)).toEqual(['tenant-1', 'tenant-1']);
    const none = JSON.stringify({ input: {}, results: {}, meta: { chainId: 'chain/1', principal: '' } });
    expect(executionStatusEvents(ev('RUNNING', { input: none }), machines).every((e) => !('principal' in e))).toBe(true);
    expect(executionStatusEvents(ev('RUNNING', { input: JSON.stringify({ meta: { chainId: 'chain/1', principal: 7 } }) }), machines).every((e) => !('principal' in e))).toBe(true);
  });

  it('a failed, timed-out or aborted execution fails its steps at its stop time, naming the status and error', () => {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED']) {
      const out = executionStatusEvents(ev(status), machines);
      expect(out.map((e) => [e.kind, e.atSec])).toEqual([['failed', 1_700_000_060], ['failed', 1_700_000_060]]);
      expect(out[0]!.error).toContain(`execution ${status}`);
    }
    expect(executionStatusEvents(ev('FAILED'), machines)[0]!.error).toBe('execution FAILED: Prescale.StepFailed');
  });

  it('ignores successes, other machines, malformed events; falls back to the execution name without a chain id', () => {
    expect(executionStatusEvents(ev('SUCCEEDED'), machines)).toEqual([]);
    expect(executionStatusEvents(ev('RUNNING', { stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:other' }), machines)).toEqual([]);
    for (const bad of [null, {}, { detail: null }, { detail: { name: 1 } }, ev('RUNNING', { startDate: 'x' })]) expect(executionStatusEvents(bad, machines)).toEqual([]);
    expect(executionStatusEvents(ev('RUNNING', { input: '{not json' }), machines)[0]!.chainId).toBe('c1-abc');
    expect(executionStatusEvents(ev('RUNNING', { input: JSON.stringify({ meta: { chainId: { toString: 1 } } }) }), machines)[0]!.chainId).toBe('c1-abc');
  });

  it('the handler appends them to the execution-events log, and the tick\'s chain book then tracks the chain', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'prescale-machines-')), 'machines.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(machines)));
    const logged: Array<[string, ExecutionEvent[]]> = [];
    const store = { append: async (log: string, es: readonly unknown[]) => void logged.push([log, es as ExecutionEvent[]]) };
    await expect(recordStatusChange(ev('RUNNING'), { machines: loadMachines(file), store })).resolves.toBe(2);
    await expect(recordStatusChange(ev('SUCCEEDED'), { machines: loadMachines(file), store })).resolves.toBe(0);
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toBe('execution-events');
    const catalog = { get: (_w: string, _v: string | undefined, id: string) => ({ def: { task_id: id, dependencies: id === 'load' ? ['extract'] : [], resource_requirements: { vcpu: id === 'load' ? 1 : 2, memoryGiB: 1 } }, poolId: 'web' }) };
    const book = new ChainBook(catalog as unknown as ConstructorParameters<typeof ChainBook>[0]);
    book.ingest(logged[0]![1]);
    expect(book.chains.get('chain/1')?.steps.size).toBe(2);
    expect(book.committedUnitsByPool().get('web')).toBe(2);
  });
});
