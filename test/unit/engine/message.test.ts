/** Step messages: strict parsing and the input a worker builds from them. */
import { describe, expect, it } from 'vitest';
import { StepMessageSchema, stepInput } from '../../../src/core/engine/index.js';

const base = { v: 1, kind: 'run', workflow: 'w', variant: 'v', taskId: 't', poolId: 'p', chainId: 'c', executionName: 'e', heartbeatSec: 10, timeoutSec: 60, taskToken: 'tok' };

describe('StepMessageSchema', () => {
  it('accepts a compiled machine’s message and rejects unknown keys (a message cannot smuggle fields)', () => {
    expect(StepMessageSchema.safeParse({ ...base, input: { a: 1 } }).success).toBe(true);
    expect(StepMessageSchema.safeParse({ ...base, executable_code_location: 'command:rm -rf /' }).success).toBe(false);
    expect(StepMessageSchema.safeParse({ ...base, v: 2 }).success).toBe(false);
  });
});

describe('stepInput', () => {
  it('merges parent outputs in dependency order (a later parent wins) and drops prototype keys', () => {
    const parents = JSON.parse('{"a":{"x":1,"y":1},"b":{"y":2,"__proto__":{"polluted":true},"constructor":1}}') as Record<string, unknown>;
    const got = stepInput({ parents }, ['a', 'b']) as Record<string, unknown>;
    expect(got).toEqual({ x: 1, y: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  });

  it('uses the machine-built input when there is one', () => {
    expect(stepInput({ input: { n: 3 } }, ['a'])).toEqual({ n: 3 });
    expect(stepInput({}, [])).toEqual({});
  });
});
