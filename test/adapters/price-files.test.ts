import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilePriceCatalog, StaticPriceCatalog } from '../../src/adapters/files/price-files.js';
import { InputError } from '../../src/core/model/index.js';

const SHARED = join(process.cwd(), '..', 'shared', 'data', 'ec2');
const ODH = 'instance_type,vcpu,memory_gib,arch,gpu,gpu_memory_gib,current_generation,region,ondemand_usd_per_hour,spot_estimate_usd_per_hour';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'prices-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('FilePriceCatalog on the shared data', () => {
  it('reads us-east-1 on-demand prices, spot estimates and Advisor buckets', async () => {
    const types = await new FilePriceCatalog(SHARED).instanceTypes('us-east-1');
    expect(types.find((t) => t.instanceType === 'm5.large')).toEqual({
      instanceType: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0.096, spotUsdPerHour: 0.0384, interruptionBucket: 3, currentGeneration: true,
    });
    expect(types.find((t) => t.instanceType === 'c7g.large')).toMatchObject({ arch: 'arm64', onDemandUsdPerHour: 0.0725, interruptionBucket: 0 });
  });

  it('reads ElastiCache Redis node prices', async () => {
    const nodes = await new FilePriceCatalog(SHARED).cacheNodes('us-east-1');
    expect(nodes.find((n) => n.nodeType === 'cache.r6g.large')).toMatchObject({ priceUsdPerHour: 0.206, memoryGiB: 13.07 });
  });
});

describe('FilePriceCatalog on small files', () => {
  it('derives spot from the Advisor JSON savings when the price file has no estimate', async () => {
    const d = dir({
      'ec2_ondemand_prices_2024-04.csv': `${ODH}\nm5.large,2,8.0,i386;x86_64,0,0,true,us-east-1,0.1,\n`,
      'spot-advisor-data.json': JSON.stringify({ ranges: [{ index: 0, max: 5 }, { index: 1, max: 11 }], spot_advisor: { 'us-east-1': { Linux: { 'm5.large': { s: 60, r: 1 } } } } }),
    });
    expect(await new FilePriceCatalog(d).instanceTypes('us-east-1')).toEqual([
      { instanceType: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64', onDemandUsdPerHour: 0.1, spotUsdPerHour: 0.04, interruptionBucket: 1, currentGeneration: true },
    ]);
  });

  it('names file, line and column of a malformed price', async () => {
    const d = dir({ 'ec2_ondemand_prices_x.csv': `${ODH}\nm5.large,2,8.0,x86_64,0,0,true,us-east-1,abc,\n` });
    const err = await new FilePriceCatalog(d).instanceTypes('us-east-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/ec2_ondemand_prices_x\.csv:2: ondemand_usd_per_hour: got "abc", expected a number > 0/);
  });

  it('names a missing column, a missing file and an unknown region', async () => {
    const d = dir({ 'ec2_ondemand_prices_x.csv': 'instance_type,vcpu\nm5.large,2\n' });
    await expect(new FilePriceCatalog(d).instanceTypes('us-east-1')).rejects.toThrow(/:1: memory_gib: got .*expected a header with column "memory_gib"/);
    await expect(new FilePriceCatalog(d).cacheNodes('us-east-1')).rejects.toThrow(/expected a directory holding the ElastiCache price file/);
    await expect(new FilePriceCatalog(SHARED).instanceTypes('xx-nowhere-1')).rejects.toThrow(/region: got "xx-nowhere-1"/);
    await expect(new FilePriceCatalog('/nonexistent-dir').instanceTypes('us-east-1')).rejects.toThrow(InputError);
  });
});

describe('StaticPriceCatalog', () => {
  it('serves the embedded us-east-1 tables and refuses other regions', async () => {
    const c = new StaticPriceCatalog();
    expect((await c.instanceTypes('us-east-1')).length).toBeGreaterThanOrEqual(15);
    expect((await c.cacheNodes('us-east-1')).some((n) => n.nodeType === 'cache.r6g.large')).toBe(true);
    await expect(c.instanceTypes('eu-west-1')).rejects.toThrow(InputError);
    expect(c.describe()).toMatch(/embedded us-east-1/);
  });
});
