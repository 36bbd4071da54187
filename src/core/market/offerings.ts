/**
 * Offerings from instance requirements: EC2 attribute-based instance type selection
 * (InstanceRequirements: VCpuCount, MemoryMiB, MemoryGiBPerVCpu, allowed/excluded types, burstable)
 * crossed with the pool's markets and availability zones.
 */
import { InputError } from '../model/errors.js';
import { familyOf, offeringId, type Offering } from '../model/offering.js';
import { InstanceRequirementsSchema, type Ec2Pool, type InstanceRequirements } from '../model/pool.js';
import { inputErrorFromZod } from '../model/errors.js';
import { hazardPerHourFromAdvisorBucket } from './hazard.js';
import { launchLeadTimeSecForFamily } from './lead-time.js';
import type { InstanceTypePrice } from './types.js';

/** Options of {@link buildOfferings}. */
export interface BuildOfferingsOptions {
  /** Launch lead time per family, seconds; @default DEFAULT_LAUNCH_LEAD_TIME_SEC_BY_FAMILY */
  readonly launchLeadTimeSecByFamily?: Readonly<Record<string, number>>;
  /**
   * Offerings marked unavailable (e.g. after InsufficientInstanceCapacity): offering ids
   * (`type/market/az`) or bare instance types (all its offerings). They are returned with
   * `available: false`.
   */
  readonly unavailable?: ReadonlySet<string>;
}

/** True for burstable families (t2, t3, t3a, t4g). */
export function isBurstableFamily(family: string): boolean {
  return /^t\d/.test(family);
}

/**
 * Whether an instance type satisfies the requirements. With an empty `allowedFamilies`, only
 * current-generation types are eligible (EC2 attribute-based selection's default). Pass normalized
 * requirements (see {@link normalizeRequirements}).
 */
export function matchesRequirements(price: InstanceTypePrice, req: InstanceRequirements): boolean {
  const family = familyOf(price.instanceType);
  if (price.vcpu < req.vcpuMin || price.vcpu > req.vcpuMax) return false;
  if (price.memoryGiB < req.memoryGiBMin) return false;
  if (req.memoryGiBMax !== undefined && price.memoryGiB > req.memoryGiBMax) return false;
  if (price.memoryGiB < req.memoryGiBPerVcpuMin * price.vcpu) return false;
  if (!req.architectures.includes(price.arch)) return false;
  if (req.excludedFamilies.includes(family)) return false;
  if (req.excludeBurstable && isBurstableFamily(family)) return false;
  if (req.allowedFamilies.length > 0) return req.allowedFamilies.includes(family);
  return price.currentGeneration;
}

/**
 * Instance requirements with every default filled in (a pool parsed by zod may carry `{}` when the
 * field was omitted, since zod does not parse defaults).
 * @throws InputError naming the first invalid field
 */
export function normalizeRequirements(req: Partial<InstanceRequirements> | undefined): InstanceRequirements {
  const r = InstanceRequirementsSchema.safeParse(req ?? {});
  if (!r.success) throw inputErrorFromZod(r.error.issues, req, undefined);
  return r.data;
}

function checkPrice(p: InstanceTypePrice, i: number): void {
  const field = (name: string): { field: string } => ({ field: `prices[${i}].${name}` });
  if (!(p.vcpu > 0)) throw new InputError(field('vcpu'), p.vcpu, 'a vCPU count > 0');
  if (!(p.onDemandUsdPerHour > 0)) throw new InputError(field('onDemandUsdPerHour'), p.onDemandUsdPerHour, 'a price > 0 USD per hour');
  if (p.spotUsdPerHour !== undefined && !(p.spotUsdPerHour > 0)) {
    throw new InputError(field('spotUsdPerHour'), p.spotUsdPerHour, 'a price > 0 USD per hour or no value');
  }
}

/**
 * Builds a pool's offerings: every instance type matching `pool.instanceRequirements`, in each of the
 * pool's markets and availability zones. Spot offerings need a spot price; types without one are
 * offered on-demand only. A spot type without an Advisor bucket gets the worst bucket's hazard (4).
 * Output order is stable: instance type, then market (as in `pool.markets`), then AZ (as in the pool).
 * @param pool the EC2 pool
 * @param prices instance type prices of the pool's region
 * @throws InputError for a non-positive vCPU count or price
 */
export function buildOfferings(pool: Ec2Pool, prices: readonly InstanceTypePrice[], opts: BuildOfferingsOptions = {}): Offering[] {
  prices.forEach(checkPrice);
  const req = normalizeRequirements(pool.instanceRequirements);
  const eligible = prices
    .filter((p) => matchesRequirements(p, req))
    .slice()
    .sort((a, b) => (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0));
  const out: Offering[] = [];
  const seen = new Set<string>();
  for (const p of eligible) {
    if (seen.has(p.instanceType)) continue;
    seen.add(p.instanceType);
    const family = familyOf(p.instanceType);
    const leadTimeSec = launchLeadTimeSecForFamily(family, opts.launchLeadTimeSecByFamily);
    for (const market of pool.markets) {
      if (market === 'spot' && p.spotUsdPerHour === undefined) continue;
      for (const az of pool.availabilityZones) {
        const id = offeringId(p.instanceType, market, az);
        out.push({
          id,
          instanceType: p.instanceType,
          family,
          market,
          az,
          vcpu: p.vcpu,
          memoryGiB: p.memoryGiB,
          arch: p.arch,
          capacityUnits: p.vcpu,
          priceUsdPerHour: market === 'spot' ? (p.spotUsdPerHour as number) : p.onDemandUsdPerHour,
          interruptionHazardPerHour: market === 'spot' ? hazardPerHourFromAdvisorBucket(p.interruptionBucket ?? 4) : 0,
          launchLeadTimeSec: leadTimeSec,
          available: !(opts.unavailable?.has(id) || opts.unavailable?.has(p.instanceType)),
        });
      }
    }
  }
  return out;
}
