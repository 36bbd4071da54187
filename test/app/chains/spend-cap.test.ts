import { afterEach, describe, expect, it } from 'vitest';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { TooManyRequestsError } from '../../../src/app/chains/errors.js';
import { PrincipalSchema } from '../../../src/core/model/index.js';
import { baseConfig, buildService, recordRef, tempDir } from '../../fixtures/tasks/service.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
let current: ChainService | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** od at 36 USD per unit-hour = 0.01 USD per vCPU-second. */
const pricey = (capUsdPerHour: number, extra: Parameters<typeof baseConfig>[0] = {}) =>
  baseConfig({
    availability: { od: { availableUnits: 8, onDemandUsdPerUnitHour: 36 } },
    policies: [{ id: 'analysts-capped', effect: 'allow', principals: ['analysts'], spendCapUsdPerHour: capUsdPerHour }],
    ...extra,
  });

describe('spend cap charges what steps really cost', () => {
  it('bounds a declared runtime below the default: meanSec 0.0001 is charged as 60 s, so the cap stops the second trigger', async () => {
    // 60 s × 0.01 USD/s = 0.6 USD per run; cap 1 USD/h: one run passes, the next would exceed it.
    const { service } = buildService(pricey(1));
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('a', [], 'record', { runtime: { meanSec: 0.0001 } })], pool: 'od' });
    expect(chain.workflow.variants[0].tasks[0].runtime?.meanSec).toBe(60);
    const first = await service.trigger(alice, chain.chainId, { runsDir: tempDir() });
    expect(first.status).toBe('running');
    let rejected = 0;
    for (let i = 0; i < 20; i++) {
      const r = await service.trigger(alice, chain.chainId, { runsDir: tempDir() }).catch((e: unknown) => e);
      if (r instanceof TooManyRequestsError) {
        rejected++;
        expect(r.reasonCode).toBe('spend-cap');
        expect(r.retryAfterSec).toBeGreaterThan(3500);
      }
    }
    expect(rejected).toBe(20);
  });

  it('uses the observed runtime once there is history, and charges a finished step\'s actual cost beyond the expected one', async () => {
    // defaultRuntimeSec 1: expected 0.01 USD without history (a 0-ms step's observed runtime stays far under
    // 1 s even on a loaded machine, where 0.1 s was flaky); cap 0.02 USD/h.
    const { service } = buildService(pricey(0.02, { composer: { defaultRuntimeSec: 1 } }));
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('a')], pool: 'od' });
    const e1 = await service.trigger(alice, chain.chainId, { runsDir: tempDir(), sleepMs: 0 });
    await service.idle();
    const x1 = await service.getExecution(alice, chain.chainId, e1.executionId);
    expect(x1.expectedCostUsd).toBeCloseTo(0.01, 6);
    // Second run: expected from the first run's observed duration; it then runs 2.5 s (0.025 USD).
    const e2 = await service.trigger(alice, chain.chainId, { runsDir: tempDir(), sleepMs: 2500 });
    await service.idle();
    const x2 = await service.getExecution(alice, chain.chainId, e2.executionId);
    expect(x2.expectedCostUsd).toBeLessThan(x1.expectedCostUsd);
    expect(x2.costUsd).toBeGreaterThan(0.02);
    expect(x2.chargedUsd).toBeCloseTo(x2.costUsd, 9);
    const err = await service.trigger(alice, chain.chainId, { runsDir: tempDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err).toMatchObject({ reasonCode: 'spend-cap', policyId: 'analysts-capped' });
  });
});
