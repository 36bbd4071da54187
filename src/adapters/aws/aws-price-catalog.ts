/**
 * Prices from the AWS Price List Query API (`GetProducts`, service codes AmazonEC2 and
 * AmazonElastiCache) with the embedded static table as fallback when the API is unreachable or
 * not allowed (Karpenter's pricing provider keeps a static table for the same reason).
 */
import { DEFAULT_CACHE_NODE_TABLE, DEFAULT_PRICE_REGION, DEFAULT_PRICE_TABLE } from '../../core/market/index.js';
import type { CacheNodeOffering } from '../../core/model/index.js';
import type { Clock, InstanceTypePrice, Logger, PriceCatalog } from '../../ports/index.js';
import { silentLogger } from '../../ports/index.js';
import type { PricingApi } from './sdk.js';

/** One product of a GetProducts answer (the PriceList entries are JSON strings). */
interface PriceListProduct {
  product?: { attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string } }> }> };
}

/** Options of {@link AwsPriceCatalog}. */
export interface AwsPriceCatalogOptions {
  readonly api: PricingApi;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Seconds a region's answer is reused. @default 86400 (prices change rarely) */
  readonly ttlSec?: number;
  /** Spot estimates and Advisor buckets per type, merged into API prices. @default the static table */
  readonly spotEstimates?: readonly InstanceTypePrice[];
}

/** The hourly USD on-demand price of a product, or undefined. */
export function onDemandUsdPerHour(p: PriceListProduct): number | undefined {
  for (const term of Object.values(p.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      if (usd > 0) return usd;
    }
  }
  return undefined;
}

/** "16 GiB" → 16; "0.5 GiB" → 0.5. */
function gib(s: string | undefined): number {
  const n = Number((s ?? '').replace(/,/g, '').split(' ')[0]);
  return Number.isFinite(n) ? n : 0;
}

/** See module documentation. */
export class AwsPriceCatalog implements PriceCatalog {
  private readonly ec2 = new Map<string, { atSec: number; rows: InstanceTypePrice[] }>();
  private readonly cache = new Map<string, { atSec: number; rows: CacheNodeOffering[] }>();
  private source = 'not read yet';

  constructor(private readonly opts: AwsPriceCatalogOptions) {}

  async instanceTypes(region: string): Promise<InstanceTypePrice[]> {
    const hit = this.ec2.get(region);
    if (hit && this.fresh(hit.atSec)) return hit.rows;
    let rows: InstanceTypePrice[];
    try {
      const products = await this.products('AmazonEC2', [
        ['regionCode', region], ['operatingSystem', 'Linux'], ['tenancy', 'Shared'], ['preInstalledSw', 'NA'], ['capacitystatus', 'Used'],
      ]);
      const estimates = new Map((this.opts.spotEstimates ?? DEFAULT_PRICE_TABLE).map((p) => [p.instanceType, p]));
      rows = [];
      for (const p of products) {
        const a = p.product?.attributes ?? {};
        const price = onDemandUsdPerHour(p);
        if (!a.instanceType || price === undefined) continue;
        const est = estimates.get(a.instanceType);
        rows.push({
          instanceType: a.instanceType,
          vcpu: Number(a.vcpu) || 0,
          memoryGiB: gib(a.memory),
          arch: /graviton|aws/i.test(a.physicalProcessor ?? '') ? 'arm64' : 'x86_64',
          onDemandUsdPerHour: price,
          ...(est?.spotUsdPerHour !== undefined && est.onDemandUsdPerHour > 0
            ? { spotUsdPerHour: price * (est.spotUsdPerHour / est.onDemandUsdPerHour) } : {}),
          ...(est?.interruptionBucket !== undefined ? { interruptionBucket: est.interruptionBucket } : {}),
          currentGeneration: a.currentGeneration !== 'No',
        });
      }
      rows = rows.filter((r) => r.vcpu > 0).sort((x, y) => x.instanceType.localeCompare(y.instanceType));
      if (rows.length === 0) throw new Error('GetProducts returned no Linux shared-tenancy instance prices');
      this.source = `AWS Price List API (${region})`;
    } catch (err) {
      this.opts.logger?.warn('pricing API unavailable; using the static price table', { region, error: String(err) });
      (this.opts.logger ?? silentLogger).debug('static table region', { region: DEFAULT_PRICE_REGION });
      rows = [...DEFAULT_PRICE_TABLE];
      this.source = `static price table (${DEFAULT_PRICE_REGION}; Pricing API unavailable: ${err instanceof Error ? err.name : 'error'})`;
    }
    this.ec2.set(region, { atSec: this.opts.clock.nowSec(), rows });
    return rows;
  }

  async cacheNodes(region: string): Promise<CacheNodeOffering[]> {
    const hit = this.cache.get(region);
    if (hit && this.fresh(hit.atSec)) return hit.rows;
    let rows: CacheNodeOffering[];
    try {
      const products = await this.products('AmazonElastiCache', [['regionCode', region], ['cacheEngine', 'Redis']]);
      rows = products.flatMap((p) => {
        const a = p.product?.attributes ?? {};
        const price = onDemandUsdPerHour(p);
        if (!a.instanceType || price === undefined) return [];
        return [{ nodeType: a.instanceType, memoryGiB: gib(a.memory), vcpu: Number(a.vcpu) || 0, priceUsdPerHour: price, ...(a.networkPerformance ? { networkPerformance: a.networkPerformance } : {}) }];
      });
      if (rows.length === 0) throw new Error('GetProducts returned no ElastiCache node prices');
    } catch (err) {
      this.opts.logger?.warn('pricing API unavailable for ElastiCache; using the static table', { region, error: String(err) });
      rows = [...DEFAULT_CACHE_NODE_TABLE];
    }
    this.cache.set(region, { atSec: this.opts.clock.nowSec(), rows });
    return rows;
  }

  describe(): string {
    return this.source;
  }

  private fresh(atSec: number): boolean {
    return this.opts.clock.nowSec() - atSec < (this.opts.ttlSec ?? 86_400);
  }

  private async products(serviceCode: string, filters: Array<[string, string]>): Promise<PriceListProduct[]> {
    const out: PriceListProduct[] = [];
    let token: string | undefined;
    do {
      const res = await this.opts.api.getProducts({
        ServiceCode: serviceCode,
        Filters: filters.map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value })),
        FormatVersion: 'aws_v1',
        MaxResults: 100,
        NextToken: token,
      });
      for (const s of res.PriceList ?? []) out.push(JSON.parse(typeof s === 'string' ? s : String(s)) as PriceListProduct);
      token = res.NextToken;
    } while (token);
    return out;
  }
}
