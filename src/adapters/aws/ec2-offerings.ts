/**
 * A pool's offerings from AWS: instance types that exist in the region (`DescribeInstanceTypes`),
 * prices (a {@link PriceCatalog}: Pricing API with the static fallback), the latest spot price per
 * type and zone (`DescribeSpotPriceHistory`) and optionally spot placement scores
 * (`GetSpotPlacementScores`, 1..10; a low score in a zone marks its spot offerings unavailable).
 */
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { buildOfferings, matchesRequirements } from '../../core/market/index.js';
import type { Ec2Pool, Offering } from '../../core/model/index.js';
import type { Clock, InstanceTypePrice, PriceCatalog } from '../../ports/index.js';
import { readCall } from './errors.js';
import type { Ec2Api } from './sdk.js';

/** Options of {@link Ec2OfferingsReader}. */
export interface Ec2OfferingsOptions {
  readonly ec2: Ec2Api;
  readonly prices: PriceCatalog;
  readonly region: string;
  readonly clock: Clock;
  /** Ask GetSpotPlacementScores and drop spot offerings in zones scoring below `minPlacementScore`. @default false */
  readonly placementScores?: boolean;
  /** @default 3 (scores are 1..10; AWS: "a score of 10 means highly likely to succeed") */
  readonly minPlacementScore?: number;
  /** Zone name → zone id (e.g. us-east-1a → use1-az1), needed for per-zone placement scores. */
  readonly availabilityZoneIds?: Readonly<Record<string, string>>;
  /** Launch lead time per family, seconds (passed to buildOfferings). */
  readonly launchLeadTimeSecByFamily?: Readonly<Record<string, number>>;
}

/**
 * The plausible band of a spot price as a fraction of the on-demand price of the same type: the Spot
 * Instance Advisor reports savings over on-demand of at most 90% (its `s` field peaks at 90 over every
 * type, region and OS in shared/data/ec2/spot-advisor-data.json, and AWS's Spot page says "up to 90%
 * off"), so a spot price under 10% of on-demand is a bad record; a spot price above on-demand is never
 * worth paying (the default maximum spot price is the on-demand price, EC2 User Guide "Spot Instance
 * pricing history"). Prices outside the band are ignored and the catalog's spot estimate is used.
 */
export const SPOT_PRICE_BAND = { minFractionOfOnDemand: 0.1, maxFractionOfOnDemand: 1 } as const;

/** True when `spotUsdPerHour` is within {@link SPOT_PRICE_BAND} of `onDemandUsdPerHour`. */
export function plausibleSpotPrice(spotUsdPerHour: number, onDemandUsdPerHour: number): boolean {
  if (!(onDemandUsdPerHour > 0)) return spotUsdPerHour > 0;
  return spotUsdPerHour >= SPOT_PRICE_BAND.minFractionOfOnDemand * onDemandUsdPerHour && spotUsdPerHour <= SPOT_PRICE_BAND.maxFractionOfOnDemand * onDemandUsdPerHour;
}

/** Spot price history filter values per call (kept well under EC2's filter value limits). */
const CHUNK = 100;

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Reads offerings for pools; unavailable ids are applied by the caller. */
export class Ec2OfferingsReader {
  constructor(private readonly opts: Ec2OfferingsOptions) {}

  /**
   * Offerings of `pool` (all marked available; the caller applies its unavailable cache).
   * @throws AwsThrottledError / AwsUnauthorizedError naming the EC2 action
   */
  async read(pool: Ec2Pool, unavailable: ReadonlySet<string>): Promise<Offering[]> {
    const catalog = await this.opts.prices.instanceTypes(this.opts.region);
    const candidates = catalog.filter((p) => matchesRequirements(p, pool.instanceRequirements));
    if (candidates.length === 0) return [];
    const shapes = await this.describeTypes(candidates.map((p) => p.instanceType));
    const prices: InstanceTypePrice[] = [];
    for (const p of candidates) {
      const info = shapes.get(p.instanceType);
      if (!info) continue; // not offered in this region
      prices.push({
        ...p,
        vcpu: info.VCpuInfo?.DefaultVCpus ?? p.vcpu,
        memoryGiB: info.MemoryInfo?.SizeInMiB !== undefined ? info.MemoryInfo.SizeInMiB / 1024 : p.memoryGiB,
      });
    }
    const spot = pool.markets.includes('spot')
      ? await this.spotPrices(prices.map((p) => p.instanceType), pool.availabilityZones)
      : new Map<string, number>();
    const lowScoreZones = pool.markets.includes('spot') && this.opts.placementScores
      ? await this.lowScoreZones(prices.map((p) => p.instanceType), pool)
      : new Set<string>();
    // observed spot prices outside the plausible band of the on-demand price are dropped (catalog fallback)
    const onDemandOf = new Map(prices.map((p) => [p.instanceType, p.onDemandUsdPerHour]));
    for (const [key, price] of [...spot]) {
      if (!plausibleSpotPrice(price, onDemandOf.get(key.split('/')[0]) ?? 0)) spot.delete(key);
    }
    const withSpot = prices.map((p) => {
      const observed = pool.availabilityZones.map((az) => spot.get(`${p.instanceType}/${az}`)).filter((x): x is number => x !== undefined);
      // a type with an observed spot price anywhere is spot-capable even if the table has no estimate
      if (p.spotUsdPerHour === undefined && observed.length > 0) return { ...p, spotUsdPerHour: Math.max(...observed) };
      return p;
    });
    const offerings = buildOfferings(pool, withSpot, { unavailable, launchLeadTimeSecByFamily: this.opts.launchLeadTimeSecByFamily });
    return offerings.map((o) => {
      if (o.market !== 'spot') return o;
      const observed = spot.get(`${o.instanceType}/${o.az}`);
      const available = o.available && !lowScoreZones.has(o.az);
      return { ...o, ...(observed !== undefined ? { priceUsdPerHour: observed } : {}), available };
    });
  }

  private async describeTypes(types: readonly string[]): Promise<Map<string, InstanceTypeInfo>> {
    const out = new Map<string, InstanceTypeInfo>();
    for (const chunk of chunks(types, CHUNK)) {
      let token: string | undefined;
      do {
        const res = await readCall('ec2:DescribeInstanceTypes', () => this.opts.ec2.describeInstanceTypes({
          Filters: [{ Name: 'instance-type', Values: chunk }], NextToken: token,
        }));
        for (const t of res.InstanceTypes ?? []) if (t.InstanceType) out.set(t.InstanceType, t);
        token = res.NextToken;
      } while (token);
    }
    return out;
  }

  /** Latest Linux/UNIX spot price per `type/az`, USD per hour. */
  private async spotPrices(types: readonly string[], azs: readonly string[]): Promise<Map<string, number>> {
    const latest = new Map<string, { atMs: number; price: number }>();
    const start = new Date(this.opts.clock.nowSec() * 1000);
    for (const chunk of chunks(types, CHUNK)) {
      let token: string | undefined;
      do {
        const res = await readCall('ec2:DescribeSpotPriceHistory', () => this.opts.ec2.describeSpotPriceHistory({
          InstanceTypes: chunk as never,
          ProductDescriptions: ['Linux/UNIX'],
          StartTime: start,
          Filters: [{ Name: 'availability-zone', Values: [...azs] }],
          NextToken: token,
        }));
        for (const h of res.SpotPriceHistory ?? []) {
          const price = Number(h.SpotPrice);
          if (!h.InstanceType || !h.AvailabilityZone || !(price > 0)) continue;
          const key = `${h.InstanceType}/${h.AvailabilityZone}`;
          const atMs = h.Timestamp?.getTime() ?? 0;
          const prev = latest.get(key);
          if (!prev || atMs > prev.atMs) latest.set(key, { atMs, price });
        }
        token = res.NextToken || undefined;
      } while (token);
    }
    return new Map([...latest].map(([k, v]) => [k, v.price]));
  }

  /** Zones (names) whose placement score for the pool's types is below the minimum. */
  private async lowScoreZones(types: readonly string[], pool: Ec2Pool): Promise<Set<string>> {
    const min = this.opts.minPlacementScore ?? 3;
    const ids = this.opts.availabilityZoneIds;
    const perZone = ids !== undefined && pool.availabilityZones.every((az) => az in ids);
    const res = await readCall('ec2:GetSpotPlacementScores', () => this.opts.ec2.getSpotPlacementScores({
      InstanceTypes: types.slice(0, 10) as string[],
      TargetCapacity: Math.max(1, Math.ceil(pool.maxUnits)),
      TargetCapacityUnitType: 'vcpu',
      SingleAvailabilityZone: perZone,
      RegionNames: [this.opts.region],
    }));
    const low = new Set<string>();
    for (const s of res.SpotPlacementScores ?? []) {
      if ((s.Score ?? 10) >= min) continue;
      if (!perZone) return new Set(pool.availabilityZones);
      for (const az of pool.availabilityZones) if (ids![az] === s.AvailabilityZoneId) low.add(az);
    }
    return low;
  }
}
