/**
 * The AWS {@link CloudProvider}: EC2 Fleet (`instant`) launches tagged with prescale's owner tag,
 * owner-filtered DescribeInstances, owner-checked TerminateInstances, offerings from EC2 and a
 * {@link PriceCatalog}, and ElastiCache replication groups as cache pools.
 *
 * Error mapping (port meaning): throttling → `throttled` and a back-off window during which further
 * commands are refused without calling AWS; InsufficientInstanceCapacity → `insufficient-capacity`
 * and the offering marked unavailable for 3 minutes (Karpenter); partial fleet fulfilment →
 * `partial`; UnauthorizedOperation → `unauthorized` with the IAM action named; `DryRunOperation`
 * (dry-run mode: the call would have succeeded) → `dry-run`.
 */
import { createHash } from 'node:crypto';
import type { CreateFleetCommandInput, CreateFleetCommandOutput, Filter, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import {
  OWNER_TAG_KEY, POOL_TAG_KEY,
  type ApplyResult, type CachePool, type CapacityPool, type CapacitySnapshot, type Command, type Ec2Pool,
  type LaunchCommand, type Market, type Offering, type TerminateCommand, type WarmPoolState,
} from '../../core/model/index.js';
import type { Clock, Logger, PriceCatalog } from '../../ports/index.js';
import { silentLogger, type CloudProvider } from '../../ports/index.js';
import { AutoScalingPools, type AutoScalingApi, type AutoScalingGroupRef } from './auto-scaling-pools.js';
import { Ec2OfferingsReader } from './ec2-offerings.js';
import { COMMAND_TAG_KEY, OFFERING_TAG_KEY, ownerFilter, tagsOf, toPortInstance } from './ec2-instances.js';
import { ElastiCacheGroups } from './elasticache-groups.js';
import { awsErrorCode, isThrottling, mapAwsErrorCode, readCall, toApplyError } from './errors.js';
import type { Ec2Api, ElastiCacheApi } from './sdk.js';
import { DEFAULT_UNAVAILABLE_TTL_SEC, UnavailableOfferings } from './unavailable-offerings.js';

/** A pool's launch template (EC2 Fleet needs one). */
export interface LaunchTemplateRef {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
  /** @default "$Latest" */
  readonly version?: string;
}

/** Options of {@link AwsCloudProvider}. */
export interface AwsCloudProviderOptions {
  readonly ec2: Ec2Api;
  /** Needed only when a cache pool is configured. */
  readonly elasticache?: ElastiCacheApi;
  readonly prices: PriceCatalog;
  readonly clock: Clock;
  readonly region: string;
  readonly pools: readonly CapacityPool[];
  /** Launch template per EC2 pool id. */
  readonly launchTemplates: Readonly<Record<string, LaunchTemplateRef>>;
  /** Subnet per availability zone; without one, the fleet override names only the zone (default VPC). */
  readonly subnetsByAz?: Readonly<Record<string, string>>;
  /** EC2 pools backed by an Auto Scaling group (desired capacity, warm pool) instead of EC2 Fleet. */
  readonly autoScalingGroups?: Readonly<Record<string, AutoScalingGroupRef>>;
  /** Needed only when `autoScalingGroups` is set. */
  readonly autoScaling?: AutoScalingApi;
  /** Replication group id per cache pool id. @default the pool id */
  readonly replicationGroupIds?: Readonly<Record<string, string>>;
  /** Value of the owner tag written and required. @default "prescale" */
  readonly owner?: string;
  /** Send EC2 calls with `DryRun: true` and never modify ElastiCache. @default false */
  readonly dryRun?: boolean;
  /** Seconds an offering stays unavailable after insufficient capacity. @default 180 */
  readonly unavailableTtlSec?: number;
  /** Seconds to refuse commands after AWS throttled one (the tick backs off). @default 60 */
  readonly throttleBackOffSec?: number;
  /** Seconds offerings are cached per pool (prices and placement scores change slowly). @default 300 */
  readonly offeringsTtlSec?: number;
  readonly placementScores?: boolean;
  readonly availabilityZoneIds?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
}

/**
 * Resource types a CreateFleet request tags through its own `TagSpecifications`. The EC2 API reference
 * (CreateFleet, TagSpecification) names `fleet` and `instance` for an instant fleet; Karpenter's
 * CreateFleet also tags `volume` (aws/karpenter-provider-aws, nodeclass validation), which EC2 accepts.
 */
export const FLEET_TAGGED_TYPES = ['instance', 'volume', 'fleet'] as const;

/** IAM actions a launch needs (named in `unauthorized` messages). */
const LAUNCH_ACTIONS = ['ec2:CreateFleet', 'ec2:RunInstances', 'ec2:CreateTags', 'iam:PassRole', 'iam:CreateServiceLinkedRole (spot)'];

/** EC2 ClientToken: at most 64 ASCII characters (EC2 "Ensuring idempotency"); longer ids are hashed. */
export function clientToken(commandId: string): string {
  return commandId.length <= 64 && /^[\x20-\x7e]+$/.test(commandId) ? commandId : createHash('sha256').update(commandId).digest('hex');
}

/** Parses an offering id `type/market/az`. */
export function parseOfferingId(id: string): { instanceType: string; market: Market; az: string } | undefined {
  const [instanceType, market, az, ...rest] = id.split('/');
  if (rest.length > 0 || !instanceType || !az || (market !== 'spot' && market !== 'on-demand')) return undefined;
  return { instanceType, market, az };
}

/** See module documentation. */
export class AwsCloudProvider implements CloudProvider {
  /** Offerings marked unavailable after insufficient capacity (read by the planner through `offerings`). */
  readonly unavailable: UnavailableOfferings;
  private readonly owner: string;
  private readonly logger: Logger;
  private readonly reader: Ec2OfferingsReader;
  private readonly caches?: ElastiCacheGroups;
  private readonly asg?: AutoScalingPools;
  private readonly applied = new Set<string>();
  private readonly offeringCache = new Map<string, { atSec: number; offerings: Offering[] }>();
  private readonly priceByOffering = new Map<string, number>();
  private backOffUntilSec = 0;

  constructor(private readonly opts: AwsCloudProviderOptions) {
    this.owner = opts.owner ?? 'prescale';
    this.logger = opts.logger ?? silentLogger;
    this.unavailable = new UnavailableOfferings(opts.clock, opts.unavailableTtlSec ?? DEFAULT_UNAVAILABLE_TTL_SEC);
    this.reader = new Ec2OfferingsReader({ ...opts, ec2: opts.ec2 });
    if (opts.autoScaling) this.asg = new AutoScalingPools(opts.autoScaling, opts.dryRun ?? false);
    if (opts.elasticache) {
      this.caches = new ElastiCacheGroups(opts.elasticache, (p) => opts.replicationGroupIds?.[p.id] ?? p.id, async (nodeType) => {
        const nodes = await opts.prices.cacheNodes(opts.region);
        return nodes.find((n) => n.nodeType === nodeType)?.priceUsdPerHour ?? 0;
      });
    }
  }

  /** Epoch seconds until which commands are refused after throttling (0 when not backing off). */
  throttledUntilSec(): number {
    return this.backOffUntilSec > this.opts.clock.nowSec() ? this.backOffUntilSec : 0;
  }

  /** @throws AwsThrottledError / AwsUnauthorizedError naming the action */
  async describeCapacity(): Promise<CapacitySnapshot> {
    const atSec = this.opts.clock.nowSec();
    const raw = await this.describeOwned([ownerFilter(this.owner)]);
    const catalog = raw.length > 0 ? await this.opts.prices.instanceTypes(this.opts.region) : [];
    const instances = raw.map((i) => toPortInstance(i, (oid, type, market) => {
      const known = this.priceByOffering.get(oid);
      if (known !== undefined) return known;
      const row = catalog.find((c) => c.instanceType === type);
      return (market === 'spot' ? row?.spotUsdPerHour : undefined) ?? row?.onDemandUsdPerHour ?? 0;
    }));
    const cachePools = this.opts.pools.filter((p): p is CachePool => p.kind === 'elasticache');
    const caches = cachePools.length > 0 && this.caches ? await this.caches.describe(cachePools) : [];
    const warmPools = await this.describeWarmPools();
    return { atSec, instances, caches, ...(warmPools.length > 0 ? { warmPools } : {}) };
  }

  /** Warm pools of the Auto Scaling groups backing pools; a group whose warm pool cannot be read is left out (logged). */
  private async describeWarmPools(): Promise<WarmPoolState[]> {
    const out: WarmPoolState[] = [];
    if (!this.asg) return out;
    for (const [poolId, ref] of Object.entries(this.opts.autoScalingGroups ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      try {
        const w = await this.asg.describeWarmPool(ref, poolId);
        if (w) out.push(w);
      } catch (err) {
        this.logger.warn('warm pool not described', { group: ref.name, error: String(err) });
      }
    }
    return out;
  }

  /** @throws AwsThrottledError / AwsUnauthorizedError naming the action */
  async offerings(pool: Ec2Pool): Promise<Offering[]> {
    const now = this.opts.clock.nowSec();
    const cached = this.offeringCache.get(pool.id);
    let offerings: Offering[];
    if (cached && now - cached.atSec < (this.opts.offeringsTtlSec ?? 300)) offerings = cached.offerings;
    else {
      offerings = await this.reader.read(pool, new Set());
      this.offeringCache.set(pool.id, { atSec: now, offerings });
      for (const o of offerings) this.priceByOffering.set(o.id, o.priceUsdPerHour);
    }
    return offerings.map((o) => (this.unavailable.has(o.id) ? { ...o, available: false } : o));
  }

  async apply(command: Command): Promise<ApplyResult> {
    const base = { commandId: command.id, instanceIds: [] as string[] };
    if (this.applied.has(command.id)) return { ...base, status: 'duplicate' };
    if (this.throttledUntilSec() > 0) {
      return { ...base, status: 'failed', error: { code: 'throttled', message: `backing off after AWS throttling until ${this.backOffUntilSec}` } };
    }
    const pool = this.opts.pools.find((p) => p.id === command.poolId);
    if (!pool) return { ...base, status: 'failed', error: { code: 'invalid', message: `unknown pool ${command.poolId}` } };
    let res: ApplyResult;
    const asgRef = this.opts.autoScalingGroups?.[pool.id];
    if (asgRef && !this.asg) res = { ...base, status: 'failed', error: { code: 'invalid', message: `pool ${pool.id} uses Auto Scaling group ${asgRef.name} but no Auto Scaling client is configured` } };
    else if (command.kind === 'launch' && pool.kind === 'ec2') res = asgRef ? await this.asg!.launch(asgRef, command) : await this.launch(pool, command);
    else if (command.kind === 'terminate' && pool.kind === 'ec2') res = await this.terminate(command, asgRef);
    else if (command.kind === 'warm-pool' && pool.kind === 'ec2' && asgRef) res = await this.asg!.putWarmPool(asgRef, command);
    else if (command.kind === 'scale-cache' && pool.kind === 'elasticache' && this.caches) {
      res = await this.caches.scale(pool, command, this.opts.clock.nowSec(), this.opts.dryRun ?? false);
    } else {
      res = { ...base, status: 'failed', error: { code: 'invalid', message: `${command.kind} is not an AWS command for ${pool.kind} pool ${pool.id}` } };
    }
    if (res.status === 'applied' || res.status === 'partial') this.applied.add(command.id);
    if (res.error?.code === 'throttled') this.backOffUntilSec = this.opts.clock.nowSec() + (this.opts.throttleBackOffSec ?? 60);
    return res;
  }

  private async launch(pool: Ec2Pool, cmd: LaunchCommand): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    const o = parseOfferingId(cmd.offeringId);
    if (!o || !pool.availabilityZones.includes(o.az) || !pool.markets.includes(o.market)) {
      return { ...base, status: 'failed', error: { code: 'invalid', message: `offering ${cmd.offeringId} is not in pool ${pool.id} (zones ${pool.availabilityZones.join(', ')}; markets ${pool.markets.join(', ')})` } };
    }
    const template = this.opts.launchTemplates[pool.id];
    if (!template) return { ...base, status: 'failed', error: { code: 'invalid', message: `no launch template configured for pool ${pool.id}` } };
    if (!(cmd.count >= 1) || !Number.isInteger(cmd.count)) return { ...base, status: 'failed', error: { code: 'invalid', message: `launch count ${cmd.count} is not a positive integer` } };
    if (this.unavailable.has(cmd.offeringId)) {
      return { ...base, status: 'failed', error: { code: 'insufficient-capacity', message: `offering ${cmd.offeringId} is marked unavailable after insufficient capacity` } };
    }
    const dryRun = this.opts.dryRun ?? false;
    try {
      if (!dryRun) {
        const existing = await this.describeOwned([ownerFilter(this.owner), { Name: `tag:${COMMAND_TAG_KEY}`, Values: [cmd.id] }]);
        if (existing.length > 0) return { ...base, status: 'duplicate', instanceIds: existing.map((i) => i.InstanceId ?? '') };
      }
      const out = await this.opts.ec2.createFleet(this.fleetRequest(pool, cmd, o, template, dryRun));
      return this.fleetResult(cmd, out);
    } catch (err) {
      if (awsErrorCode(err) === 'DryRunOperation') return { ...base, status: 'dry-run' };
      const e = toApplyError(err, LAUNCH_ACTIONS);
      if (e.code === 'insufficient-capacity') this.unavailable.mark(cmd.offeringId);
      this.logger.warn('launch failed', { commandId: cmd.id, offeringId: cmd.offeringId, error: e });
      return { ...base, status: 'failed', error: e };
    }
  }

  /** The CreateFleet request of a launch (exported for reading in tests via `lastRequest`). */
  private fleetRequest(pool: Ec2Pool, cmd: LaunchCommand, o: { instanceType: string; market: Market; az: string }, t: LaunchTemplateRef, dryRun: boolean): CreateFleetCommandInput {
    const tags = [
      { Key: OWNER_TAG_KEY, Value: this.owner },
      { Key: POOL_TAG_KEY, Value: pool.id },
      { Key: COMMAND_TAG_KEY, Value: cmd.id },
      { Key: OFFERING_TAG_KEY, Value: cmd.offeringId },
    ];
    const subnet = this.opts.subnetsByAz?.[o.az];
    const spot = o.market === 'spot';
    return {
      Type: 'instant',
      ClientToken: clientToken(cmd.id),
      DryRun: dryRun,
      TargetCapacitySpecification: {
        TotalTargetCapacity: cmd.count,
        DefaultTargetCapacityType: spot ? 'spot' : 'on-demand',
        SpotTargetCapacity: spot ? cmd.count : 0,
        OnDemandTargetCapacity: spot ? 0 : cmd.count,
      },
      ...(spot ? { SpotOptions: { AllocationStrategy: 'price-capacity-optimized' } } : { OnDemandOptions: { AllocationStrategy: 'lowest-price' } }),
      LaunchTemplateConfigs: [{
        LaunchTemplateSpecification: {
          ...(t.launchTemplateId ? { LaunchTemplateId: t.launchTemplateId } : { LaunchTemplateName: t.launchTemplateName }),
          Version: t.version ?? '$Latest',
        },
        Overrides: [{ InstanceType: o.instanceType as never, AvailabilityZone: o.az, ...(subnet ? { SubnetId: subnet } : {}) }],
      }],
      // every resource type CreateFleet accepts tags for: the instances, their EBS volumes and the fleet
      // (as Karpenter's CreateFleet does). Network interfaces and spot requests take tags only from the
      // launch template; the IAM policy allows them untagged within a launch (cdk/lib/controller-iam.ts).
      TagSpecifications: FLEET_TAGGED_TYPES.map((ResourceType) => ({ ResourceType, Tags: tags })),
    };
  }

  private fleetResult(cmd: LaunchCommand, out: CreateFleetCommandOutput): ApplyResult {
    const ids = (out.Instances ?? []).flatMap((i) => i.InstanceIds ?? []);
    const errs = out.Errors ?? [];
    const first = errs[0];
    const code = first?.ErrorCode ?? 'Unknown';
    if (errs.some((e) => mapAwsErrorCode(e.ErrorCode ?? '') === 'insufficient-capacity')) this.unavailable.mark(cmd.offeringId);
    const error = first
      ? (mapAwsErrorCode(code) === 'unauthorized' ? toApplyError(Object.assign(new Error(first.ErrorMessage ?? ''), { name: code }), LAUNCH_ACTIONS)
        : { code: isThrottling(code) ? 'throttled' as const : mapAwsErrorCode(code), message: `${code}: ${first.ErrorMessage ?? ''}` })
      : undefined;
    const price = this.priceByOffering.get(cmd.offeringId);
    if (price !== undefined) this.logger.debug('fleet launched', { commandId: cmd.id, count: ids.length, priceUsdPerHour: price });
    if (ids.length >= cmd.count) return { commandId: cmd.id, status: 'applied', instanceIds: ids };
    if (ids.length > 0) return { commandId: cmd.id, status: 'partial', instanceIds: ids, error: error ?? { code: 'insufficient-capacity', message: `${ids.length} of ${cmd.count} launched` } };
    return { commandId: cmd.id, status: 'failed', instanceIds: [], error: error ?? { code: 'unknown', message: 'CreateFleet launched nothing and reported no error' } };
  }

  /**
   * Terminates the command's instances that carry the owner tag and the command's pool tag; ids that
   * are unknown (stale), foreign or in another pool are reported in a `not-owned` error next to what
   * was terminated (`partial`), so one stale id does not fail the whole command. Nothing owned:
   * `failed` with `not-owned` and no TerminateInstances call.
   */
  private async terminate(cmd: TerminateCommand, asgRef?: AutoScalingGroupRef): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    if (cmd.instanceIds.length === 0) return { ...base, status: 'applied' };
    try {
      // filter by id instead of InstanceIds: DescribeInstances fails the whole call on one unknown id
      const found = await this.describeOwned([{ Name: 'instance-id', Values: [...cmd.instanceIds] }]);
      const byId = new Map(found.map((i) => [i.InstanceId, i]));
      const ours: string[] = [];
      const rest: string[] = [];
      for (const id of cmd.instanceIds) {
        const inst = byId.get(id);
        const tags = inst ? tagsOf(inst) : undefined;
        if (!inst) rest.push(`${id} (not found)`);
        else if (tags![OWNER_TAG_KEY] !== this.owner) rest.push(`${id} (no ${OWNER_TAG_KEY}=${this.owner})`);
        else if (tags![POOL_TAG_KEY] !== cmd.poolId) rest.push(`${id} (${POOL_TAG_KEY}=${tags![POOL_TAG_KEY] ?? 'none'}, not pool ${cmd.poolId})`);
        else ours.push(id);
      }
      const notOwned = rest.length > 0 ? { code: 'not-owned' as const, message: `not terminated: ${rest.join(', ')}` } : undefined;
      if (ours.length === 0) return { ...base, status: 'failed', error: notOwned! };
      const res = asgRef
        ? await this.asg!.terminate(asgRef, { ...cmd, instanceIds: ours })
        : await this.ec2Terminate(cmd, ours);
      if (!notOwned || res.status === 'failed') return res;
      return { ...res, status: res.status === 'applied' ? 'partial' : res.status, error: res.error ?? notOwned };
    } catch (err) {
      return { ...base, status: 'failed', error: toApplyError(err, ['ec2:DescribeInstances']) };
    }
  }

  private async ec2Terminate(cmd: TerminateCommand, ids: string[]): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    try {
      const res = await this.opts.ec2.terminateInstances({ InstanceIds: ids, DryRun: this.opts.dryRun ?? false });
      return { ...base, status: 'applied', instanceIds: (res.TerminatingInstances ?? []).map((i) => i.InstanceId ?? '') };
    } catch (err) {
      if (awsErrorCode(err) === 'DryRunOperation') return { ...base, status: 'dry-run', instanceIds: ids };
      return { ...base, status: 'failed', error: toApplyError(err, ['ec2:TerminateInstances']) };
    }
  }

  private async describeOwned(filters: Filter[], instanceIds?: string[]): Promise<Ec2Instance[]> {
    const out: Ec2Instance[] = [];
    let token: string | undefined;
    do {
      const res = await readCall('ec2:DescribeInstances', () => this.opts.ec2.describeInstances({
        ...(filters.length > 0 ? { Filters: filters } : {}),
        ...(instanceIds ? { InstanceIds: instanceIds } : {}),
        NextToken: token,
      }));
      for (const r of res.Reservations ?? []) out.push(...(r.Instances ?? []));
      token = res.NextToken;
    } while (token);
    return out;
  }
}
