import { describe, expect, it } from 'vitest';
import {
  buildOfferings, DEFAULT_CACHE_NODE_TABLE, DEFAULT_PRICE_TABLE, hazardPerHourFromAdvisorBucket, launchLeadTimeSecForFamily,
  type InstanceTypePrice,
} from '../../../src/core/market/index.js';
import { Ec2PoolSchema, InputError, type Ec2Pool } from '../../../src/core/model/index.js';

const pool = (over: Record<string, unknown> = {}): Ec2Pool => Ec2PoolSchema.parse({ kind: 'ec2', id: 'p', ...over });

describe('buildOfferings', () => {
  it('crosses matching instance types with markets and AZs, pricing spot from the catalog', () => {
    const p = pool({ instanceRequirements: { vcpuMin: 2, vcpuMax: 2, allowedFamilies: ['m5', 'c7g'] }, availabilityZones: ['a', 'b'] });
    const offs = buildOfferings(p, DEFAULT_PRICE_TABLE);
    expect(offs.map((o) => o.id)).toEqual([
      'c7g.large/spot/a', 'c7g.large/spot/b', 'c7g.large/on-demand/a', 'c7g.large/on-demand/b',
      'm5.large/spot/a', 'm5.large/spot/b', 'm5.large/on-demand/a', 'm5.large/on-demand/b',
    ]);
    const spot = offs.find((o) => o.id === 'm5.large/spot/a');
    expect(spot).toMatchObject({ priceUsdPerHour: 0.0384, capacityUnits: 2, family: 'm5', arch: 'x86_64', available: true });
    expect(spot?.interruptionHazardPerHour).toBe(hazardPerHourFromAdvisorBucket(3));
    expect(offs.find((o) => o.id === 'm5.large/on-demand/a')).toMatchObject({ priceUsdPerHour: 0.096, interruptionHazardPerHour: 0 });
  });

  it('applies vCPU, memory per vCPU, architecture and exclusion filters', () => {
    const p = pool({ markets: ['on-demand'], availabilityZones: ['a'], instanceRequirements: { vcpuMin: 4, vcpuMax: 4, memoryGiBPerVcpuMin: 4, architectures: ['arm64'], excludedFamilies: ['m6g'] } });
    expect(buildOfferings(p, DEFAULT_PRICE_TABLE).map((o) => o.instanceType)).toEqual(['r6g.xlarge']);
  });

  it('excludes burstable and previous-generation types unless families are named', () => {
    const prices: InstanceTypePrice[] = [
      { instanceType: 't3.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0.08, currentGeneration: true },
      { instanceType: 'm4.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0.1, currentGeneration: false },
      { instanceType: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0.096, currentGeneration: true },
    ];
    expect(buildOfferings(pool({ availabilityZones: ['a'] }), prices).map((o) => o.id)).toEqual(['m5.large/on-demand/a']);
    expect(buildOfferings(pool({ availabilityZones: ['a'], instanceRequirements: { allowedFamilies: ['m4'] } }), prices).map((o) => o.id)).toEqual(['m4.large/on-demand/a']);
  });

  it('marks unavailable offerings and types, and uses per-family lead time overrides', () => {
    const p = pool({ availabilityZones: ['a', 'b'], instanceRequirements: { allowedFamilies: ['c7g'], vcpuMax: 2 } });
    const offs = buildOfferings(p, DEFAULT_PRICE_TABLE, { unavailable: new Set(['c7g.large/spot/a']), launchLeadTimeSecByFamily: { c7g: 33 } });
    expect(offs.filter((o) => !o.available).map((o) => o.id)).toEqual(['c7g.large/spot/a']);
    expect(offs.every((o) => o.launchLeadTimeSec === 33)).toBe(true);
    expect(buildOfferings(p, DEFAULT_PRICE_TABLE, { unavailable: new Set(['c7g.large']) }).every((o) => !o.available)).toBe(true);
  });

  it('rejects a non-positive price with an InputError naming the row', () => {
    const bad: InstanceTypePrice[] = [{ instanceType: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0, currentGeneration: true }];
    expect(() => buildOfferings(pool(), bad)).toThrow(/prices\[0\]\.onDemandUsdPerHour: got 0/);
    expect(() => buildOfferings(pool(), bad)).toThrow(InputError);
  });
});

describe('embedded tables', () => {
  it('have spot cheaper than on-demand, a bucket for every type and positive cache prices', () => {
    expect(DEFAULT_PRICE_TABLE.length).toBeGreaterThanOrEqual(15);
    for (const p of DEFAULT_PRICE_TABLE) {
      expect(p.spotUsdPerHour).toBeLessThan(p.onDemandUsdPerHour);
      expect(p.interruptionBucket).toBeGreaterThanOrEqual(0);
    }
    expect(DEFAULT_CACHE_NODE_TABLE.every((n) => n.priceUsdPerHour > 0 && n.memoryGiB > 0)).toBe(true);
  });

  it('gives a lead time per family with a fallback for unknown families', () => {
    expect(launchLeadTimeSecForFamily('c7g')).toBeLessThan(launchLeadTimeSecForFamily('m5'));
    expect(launchLeadTimeSecForFamily('zz9')).toBe(120);
  });
});
