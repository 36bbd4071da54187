/**
 * Offerings and pools for tests, built with core/market from its embedded price table.
 */
import { Ec2PoolSchema, type Ec2Pool, type Offering } from '../../src/core/model/index.js';
import { buildOfferings, DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';

/** A small pool: m6i/c6i/m5 families, 2–8 vCPU, spot and on-demand in two AZs. */
export function testPool(overrides: Partial<Ec2Pool> = {}): Ec2Pool {
  return Ec2PoolSchema.parse({
    kind: 'ec2',
    id: 'batch',
    instanceRequirements: { vcpuMin: 2, vcpuMax: 8, allowedFamilies: ['m6i', 'c6i', 'm5'] },
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    ...overrides,
  });
}

/** Offerings of `pool` from the embedded price table. */
export function testOfferings(pool: Ec2Pool = testPool(), unavailable: string[] = []): Offering[] {
  return buildOfferings(pool, DEFAULT_PRICE_TABLE, { unavailable: new Set(unavailable) });
}
