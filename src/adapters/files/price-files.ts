/**
 * Price catalogs: {@link FilePriceCatalog} reads the price files under `shared/data/ec2` (see its
 * README), {@link StaticPriceCatalog} serves the tables embedded in `core/market` (the fallback when no
 * files or Pricing API are available).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/model/errors.js';
import type { CacheNodeOffering } from '../../core/model/index.js';
import { advisorBucketFromMaxPct, DEFAULT_CACHE_NODE_TABLE, DEFAULT_PRICE_REGION, DEFAULT_PRICE_TABLE } from '../../core/market/index.js';
import type { InstanceTypePrice, PriceCatalog } from '../../ports/price-catalog.js';
import { parseCsv, parseNumberField, type CsvRow } from './csv.js';

/** Spot Advisor facts for one instance type in one region (Linux). */
interface AdvisorEntry { readonly savingsPct: number; readonly bucket: number }

/** File name patterns looked up in the directory (the newest-named match wins). */
export const PRICE_FILE_PATTERNS = {
  ec2OnDemand: /^ec2_ondemand_prices_.*\.csv$/,
  spotAdvisorCsv: /^spot_advisor\.csv$/,
  spotAdvisorJson: /^spot-advisor-data\.json$/,
  cacheOnDemand: /^elasticache_ondemand_prices_.*\.csv$/,
} as const;

/** What each price file is, in words (for messages: never the internal key). */
export const PRICE_FILE_LABELS: Readonly<Record<keyof typeof PRICE_FILE_PATTERNS, string>> = {
  ec2OnDemand: 'EC2 on-demand price file (ec2_ondemand_prices_*.csv)',
  spotAdvisorCsv: 'Spot Instance Advisor file (spot_advisor.csv)',
  spotAdvisorJson: 'Spot Instance Advisor feed (spot-advisor-data.json)',
  cacheOnDemand: 'ElastiCache price file (elasticache_ondemand_prices_*.csv)',
};

/**
 * Reads EC2 on-demand prices, the Spot Instance Advisor and ElastiCache prices from a directory like
 * `../shared/data/ec2`:
 * - `ec2_ondemand_prices_*.csv` (required for `instanceTypes`): instance_type, vcpu, memory_gib, arch,
 *   current_generation, region, ondemand_usd_per_hour, spot_estimate_usd_per_hour. Rows with an empty
 *   on-demand price (the README's blanked rows) and architectures other than x86_64/arm64 are skipped.
 * - `spot_advisor.csv`, else `spot-advisor-data.json` (optional): the interruption bucket (Linux) and,
 *   when the price file has no spot estimate, spot = on-demand × (100 − savings %) / 100.
 * - `elasticache_ondemand_prices_*.csv` (required for `cacheNodes`): Redis rows of the region.
 * Files are read once and kept. Errors name the file, line and column.
 */
export class FilePriceCatalog implements PriceCatalog {
  private readonly cache = new Map<string, unknown>();

  /**
   * @param dir directory holding the price files
   * @param flag the user's flag naming the directory, for messages (e.g. "--prices")
   */
  constructor(private readonly dir: string, private readonly flag?: string) {}

  /**
   * The optional price files the directory lacks, in words: without a Spot Advisor file spot prices
   * and hazards come only from the on-demand file's estimates; without an ElastiCache file cache
   * nodes cannot be priced from the directory.
   * @throws InputError when the directory is missing
   */
  missingFiles(): string[] {
    const out: string[] = [];
    if (!this.find('spotAdvisorCsv', false) && !this.find('spotAdvisorJson', false)) out.push(`${PRICE_FILE_LABELS.spotAdvisorCsv} or ${PRICE_FILE_LABELS.spotAdvisorJson}`);
    if (!this.find('cacheOnDemand', false)) out.push(PRICE_FILE_LABELS.cacheOnDemand);
    return out;
  }

  /** @throws InputError when the directory or the on-demand file is missing, or a row is malformed */
  async instanceTypes(region: string): Promise<InstanceTypePrice[]> {
    const file = this.find('ec2OnDemand', true) as string;
    const advisor = this.advisor(region);
    const rows = this.csv(file, ['instance_type', 'vcpu', 'memory_gib', 'arch', 'current_generation', 'region', 'ondemand_usd_per_hour']);
    const out: InstanceTypePrice[] = [];
    for (const r of rows.rows) {
      if (r.get('region') !== region) continue;
      const od = r.get('ondemand_usd_per_hour');
      if (od === '') continue;
      const archs = r.get('arch').split(';');
      const arch = archs.includes('x86_64') ? 'x86_64' : archs.includes('arm64') ? 'arm64' : undefined;
      if (!arch) continue;
      const type = r.get('instance_type');
      const onDemandUsdPerHour = r.num('ondemand_usd_per_hour', true);
      const adv = advisor.get(type);
      const estimate = rows.has('spot_estimate_usd_per_hour') && r.get('spot_estimate_usd_per_hour') !== '' ? r.num('spot_estimate_usd_per_hour', true) : undefined;
      const spotUsdPerHour = estimate ?? (adv ? Math.round(onDemandUsdPerHour * (100 - adv.savingsPct) * 1e4) / 1e6 : undefined);
      out.push({
        instanceType: type, vcpu: r.num('vcpu', true), memoryGiB: r.num('memory_gib', false), arch, onDemandUsdPerHour,
        ...(spotUsdPerHour !== undefined && spotUsdPerHour > 0 ? { spotUsdPerHour } : {}),
        ...(adv ? { interruptionBucket: adv.bucket } : {}),
        currentGeneration: r.get('current_generation') === 'true',
      });
    }
    if (out.length === 0) throw new InputError({ file, field: 'region' }, region, 'a region with at least one priced instance type in the file');
    return out.sort((a, b) => (a.instanceType < b.instanceType ? -1 : 1));
  }

  /** @throws InputError when the ElastiCache file is missing or malformed, or has no row for `region` */
  async cacheNodes(region: string): Promise<CacheNodeOffering[]> {
    const file = this.find('cacheOnDemand', true) as string;
    const rows = this.csv(file, ['node_type', 'vcpu', 'memory_gib', 'network_performance', 'region', 'engine', 'ondemand_usd_per_hour']);
    const out: CacheNodeOffering[] = [];
    for (const r of rows.rows) {
      if (r.get('region') !== region || r.get('engine') !== 'Redis' || r.get('ondemand_usd_per_hour') === '') continue;
      out.push({
        nodeType: r.get('node_type'), vcpu: r.num('vcpu', true), memoryGiB: r.num('memory_gib', true),
        priceUsdPerHour: r.num('ondemand_usd_per_hour', true), networkPerformance: r.get('network_performance'),
      });
    }
    if (out.length === 0) throw new InputError({ file, field: 'region' }, region, 'a region with Redis node prices in the file');
    return out.sort((a, b) => (a.nodeType < b.nodeType ? -1 : 1));
  }

  describe(): string {
    const names = (['ec2OnDemand', 'spotAdvisorCsv', 'spotAdvisorJson', 'cacheOnDemand'] as const)
      .map((k) => this.find(k, false)).filter((f): f is string => f !== undefined);
    return `price files in ${this.dir}: ${names.map((f) => f.slice(this.dir.length + 1)).join(', ')} (dates in the file names; spot prices are Advisor-based estimates, not observed)`;
  }

  private find(kind: keyof typeof PRICE_FILE_PATTERNS, required: boolean): string | undefined {
    if (!existsSync(this.dir) || !statSync(this.dir).isDirectory()) throw new InputError({ field: this.flag }, this.dir, 'an existing directory of price files (like ../shared/data/ec2)');
    const match = readdirSync(this.dir).filter((f) => PRICE_FILE_PATTERNS[kind].test(f)).sort().pop();
    if (!match && required) throw new InputError({ file: this.dir, field: this.flag }, `no ${PRICE_FILE_LABELS[kind]}`, `a directory holding the ${PRICE_FILE_LABELS[kind]}`);
    return match ? join(this.dir, match) : undefined;
  }

  private advisor(region: string): Map<string, AdvisorEntry> {
    const out = new Map<string, AdvisorEntry>();
    const csvFile = this.find('spotAdvisorCsv', false);
    if (csvFile) {
      const rows = this.csv(csvFile, ['region', 'os', 'instance_type', 'savings_over_ondemand_pct', 'interruption_range_index']);
      for (const r of rows.rows) {
        if (r.get('region') !== region || r.get('os') !== 'Linux') continue;
        const bucket = r.num('interruption_range_index', false);
        if (!Number.isInteger(bucket) || bucket > 4) throw new InputError({ file: csvFile, line: r.line, field: 'interruption_range_index' }, bucket, 'an integer 0..4');
        out.set(r.get('instance_type'), { savingsPct: r.num('savings_over_ondemand_pct', false), bucket });
      }
      return out;
    }
    const jsonFile = this.find('spotAdvisorJson', false);
    if (!jsonFile) return out;
    const data = this.json(jsonFile) as { ranges?: { index: number; max: number }[]; spot_advisor?: Record<string, Record<string, Record<string, { s: number; r: number }>>> };
    if (!data.spot_advisor || typeof data.spot_advisor !== 'object') throw new InputError({ file: jsonFile, field: 'spot_advisor' }, undefined, 'an object keyed by region');
    const byIndex = new Map((data.ranges ?? []).map((r) => [r.index, advisorBucketFromMaxPct(r.max)]));
    for (const [type, e] of Object.entries(data.spot_advisor[region]?.Linux ?? {})) {
      if (!Number.isFinite(e?.s) || !Number.isInteger(e?.r)) throw new InputError({ file: jsonFile, field: `spot_advisor.${region}.Linux.${type}` }, e, '{s: savings %, r: bucket index}');
      out.set(type, { savingsPct: e.s, bucket: byIndex.get(e.r) ?? e.r });
    }
    return out;
  }

  private json(file: string): unknown {
    if (!this.cache.has(file)) {
      try { this.cache.set(file, JSON.parse(readFileSync(file, 'utf8'))); } catch (e) {
        throw new InputError({ file }, (e as Error).message, 'valid JSON');
      }
    }
    return this.cache.get(file);
  }

  private csv(file: string, required: readonly string[]): Table {
    const key = `csv:${file}`;
    if (!this.cache.has(key)) this.cache.set(key, new Table(file, parseCsv(readFileSync(file, 'utf8'), file)));
    const t = this.cache.get(key) as Table;
    for (const col of required) if (!t.has(col)) throw new InputError({ file, line: 1, field: col }, t.header.join(','), `a header with column "${col}"`);
    return t;
  }
}

class Table {
  readonly header: string[];
  readonly rows: Row[];
  private readonly index: Map<string, number>;
  constructor(readonly file: string, csv: CsvRow[]) {
    if (csv.length === 0) throw new InputError({ file, line: 1 }, '', 'a CSV header line');
    this.header = csv[0].fields;
    this.index = new Map(this.header.map((h, i) => [h, i]));
    this.rows = csv.slice(1).map((r) => new Row(this, r));
  }
  has(col: string): boolean { return this.index.has(col); }
  col(name: string): number { return this.index.get(name) as number; }
}

class Row {
  constructor(private readonly t: Table, private readonly r: CsvRow) {}
  get line(): number { return this.r.line; }
  get(col: string): string {
    const v = this.r.fields[this.t.col(col)];
    if (v === undefined) throw new InputError({ file: this.t.file, line: this.r.line, field: col }, this.r.fields.join(','), `${this.t.header.length} fields`);
    return v;
  }
  num(col: string, positive: boolean): number {
    const text = this.get(col);
    const v = parseNumberField(text);
    if (v === undefined || v < 0 || (positive && v === 0)) {
      throw new InputError({ file: this.t.file, line: this.r.line, field: col }, text, positive ? 'a number > 0' : 'a number >= 0');
    }
    return v;
  }
}

/** The embedded price tables of `core/market` (us-east-1 only). */
export class StaticPriceCatalog implements PriceCatalog {
  /** @throws InputError for any region but us-east-1 */
  async instanceTypes(region: string): Promise<InstanceTypePrice[]> {
    this.check(region);
    return DEFAULT_PRICE_TABLE.map((p) => ({ ...p }));
  }
  /** @throws InputError for any region but us-east-1 */
  async cacheNodes(region: string): Promise<CacheNodeOffering[]> {
    this.check(region);
    return DEFAULT_CACHE_NODE_TABLE.map((n) => ({ ...n }));
  }
  describe(): string {
    return `embedded ${DEFAULT_PRICE_REGION} table: ${DEFAULT_PRICE_TABLE.length} EC2 types (on-demand 2024-04, spot estimates 2024-04, Advisor buckets 2025-06), ${DEFAULT_CACHE_NODE_TABLE.length} ElastiCache nodes (2022-02)`;
  }
  private check(region: string): void {
    if (region !== DEFAULT_PRICE_REGION) throw new InputError({ field: 'region' }, region, `${DEFAULT_PRICE_REGION} (the embedded price table covers only it; pass --prices DIR for others)`);
  }
}
