/**
 * A small in-memory EC2 behind aws-sdk-client-mock: CreateFleet (instant, ClientToken replay,
 * DryRun, insufficient capacity per offering, a per-offering capacity for partial fulfilment),
 * DescribeInstances (tag and state filters, InstanceIds, NextToken pages of 2), TerminateInstances,
 * DescribeInstanceTypes, DescribeSpotPriceHistory and GetSpotPlacementScores.
 *
 * Honest where EC2 is strict: a ClientToken reused with other parameters answers
 * `IdempotentParameterMismatch` (EC2 API reference, "Ensuring idempotency"); `describeLagSec` makes
 * DescribeInstances omit instances launched less than that long ago (EC2 is eventually consistent:
 * "it can take up to several minutes" before a new resource is listed); pending instances run after 60 s.
 */
import {
  CreateFleetCommand, type CreateFleetCommandInput, type CreateFleetCommandOutput,
  DescribeInstancesCommand, type DescribeInstancesCommandInput,
  DescribeInstanceTypesCommand, type DescribeInstanceTypesCommandInput,
  DescribeSpotPriceHistoryCommand, type DescribeSpotPriceHistoryCommandInput,
  EC2Client, GetSpotPlacementScoresCommand, type Instance, TerminateInstancesCommand, type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_PRICE_TABLE } from '../../../src/core/market/index.js';

/** An SDK-style error with the AWS code as its name. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** The fake account. */
export class FakeEc2 {
  readonly mock = mockClient(EC2Client);
  readonly instances = new Map<string, Instance>();
  /** Offerings (`type/market/az`) that answer InsufficientInstanceCapacity. */
  readonly ice = new Set<string>();
  /** CreateFleet `Errors` code per offering (e.g. Unsupported, VcpuLimitExceeded), answered instead of launching. */
  readonly fleetErrors = new Map<string, string>();
  /** Instances an offering can still supply (unlimited when absent). */
  readonly capacity = new Map<string, number>();
  readonly spotPrices = new Map<string, number>();
  placementScore = 9;
  /** Thrown by the next CreateFleet only. */
  failNextFleet: Error | undefined;
  nowMs = Date.UTC(2026, 10, 21, 12);
  /** Seconds before DescribeInstances lists a new instance (0: at once). */
  describeLagSec = 0;
  private readonly tokens = new Map<string, { request: string; out: CreateFleetCommandOutput }>();
  private seq = 0;

  constructor() {
    this.mock.on(CreateFleetCommand).callsFake((i: CreateFleetCommandInput) => this.createFleet(i));
    this.mock.on(DescribeInstancesCommand).callsFake((i: DescribeInstancesCommandInput) => this.describeInstances(i));
    this.mock.on(TerminateInstancesCommand).callsFake((i: TerminateInstancesCommandInput) => this.terminate(i));
    this.mock.on(DescribeInstanceTypesCommand).callsFake((i: DescribeInstanceTypesCommandInput) => this.describeTypes(i));
    this.mock.on(DescribeSpotPriceHistoryCommand).callsFake((i: DescribeSpotPriceHistoryCommandInput) => this.spotHistory(i));
    this.mock.on(GetSpotPlacementScoresCommand).callsFake(() => ({ SpotPlacementScores: [{ Region: 'us-east-1', AvailabilityZoneId: 'use1-az1', Score: this.placementScore }] }));
  }

  /** Adds an instance that does not carry prescale's owner tag. */
  addForeign(): string {
    const id = `i-foreign${this.seq++}`;
    this.instances.set(id, { InstanceId: id, InstanceType: 'm5.large', State: { Name: 'running' }, Tags: [{ Key: 'team', Value: 'other' }], Placement: { AvailabilityZone: 'us-east-1a' } });
    return id;
  }

  private createFleet(i: CreateFleetCommandInput): CreateFleetCommandOutput {
    const fail = this.failNextFleet;
    this.failNextFleet = undefined;
    if (fail) throw fail;
    if (i.DryRun) throw awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    const { ClientToken: _token, DryRun: _dry, ...params } = i;
    const request = JSON.stringify(params);
    const prior = i.ClientToken ? this.tokens.get(i.ClientToken) : undefined;
    if (prior && prior.request !== request) {
      throw awsError('IdempotentParameterMismatch', `Client token ${i.ClientToken} was already used with different parameters`);
    }
    if (prior) return prior.out;
    const ov = i.LaunchTemplateConfigs![0].Overrides![0];
    const market = i.TargetCapacitySpecification!.DefaultTargetCapacityType === 'spot' ? 'spot' : 'on-demand';
    const oid = `${ov.InstanceType}/${market}/${ov.AvailabilityZone}`;
    const want = i.TargetCapacitySpecification!.TotalTargetCapacity!;
    const out: CreateFleetCommandOutput = { $metadata: {}, FleetId: `fleet-${this.seq++}`, Instances: [], Errors: [] };
    if (!DEFAULT_PRICE_TABLE.some((p) => p.instanceType === ov.InstanceType)) {
      out.Errors!.push({ ErrorCode: 'InvalidParameterValue', ErrorMessage: `Invalid instance type ${ov.InstanceType}` });
    } else if (this.fleetErrors.has(oid)) {
      out.Errors!.push({ ErrorCode: this.fleetErrors.get(oid), ErrorMessage: `${this.fleetErrors.get(oid)} for ${oid}`, Lifecycle: market === 'spot' ? 'spot' : 'on-demand' });
    } else if (this.ice.has(oid)) {
      out.Errors!.push({ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: `no capacity for ${oid}`, Lifecycle: market === 'spot' ? 'spot' : 'on-demand' });
    } else {
      const n = Math.min(want, this.capacity.get(oid) ?? want);
      if (this.capacity.has(oid)) this.capacity.set(oid, this.capacity.get(oid)! - n);
      const tags = i.TagSpecifications?.find((t) => t.ResourceType === 'instance')?.Tags ?? [];
      const ids: string[] = [];
      for (let k = 0; k < n; k++) {
        const id = `i-${(this.seq++).toString(16).padStart(8, '0')}`;
        ids.push(id);
        this.instances.set(id, {
          InstanceId: id, InstanceType: ov.InstanceType, State: { Name: 'pending' }, Tags: tags, Placement: { AvailabilityZone: ov.AvailabilityZone },
          ...(market === 'spot' ? { InstanceLifecycle: 'spot' } : {}), LaunchTime: new Date(this.nowMs),
          CpuOptions: { CoreCount: (DEFAULT_PRICE_TABLE.find((p) => p.instanceType === ov.InstanceType)?.vcpu ?? 2) / 2, ThreadsPerCore: 2 },
        });
      }
      if (ids.length > 0) out.Instances!.push({ InstanceIds: ids, InstanceType: ov.InstanceType, Lifecycle: market === 'spot' ? 'spot' : 'on-demand' });
      if (n < want) out.Errors!.push({ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: `only ${n} of ${want}` });
    }
    if (i.ClientToken) this.tokens.set(i.ClientToken, { request, out });
    return out;
  }

  private describeInstances(i: DescribeInstancesCommandInput) {
    for (const x of this.instances.values()) {
      if (x.State?.Name === 'pending' && x.LaunchTime && x.LaunchTime.getTime() <= this.nowMs - 60_000) x.State = { Name: 'running' };
    }
    const listed = (x: Instance): boolean => !x.LaunchTime || x.LaunchTime.getTime() <= this.nowMs - this.describeLagSec * 1000;
    let list = [...this.instances.values()].filter(listed);
    if (i.InstanceIds) {
      const missing = i.InstanceIds.filter((id) => !this.instances.has(id) || !listed(this.instances.get(id)!));
      if (missing.length > 0) throw awsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
      list = list.filter((x) => i.InstanceIds!.includes(x.InstanceId!));
    }
    for (const f of i.Filters ?? []) {
      if (f.Name?.startsWith('tag:')) {
        const key = f.Name.slice(4);
        list = list.filter((x) => x.Tags?.some((t) => t.Key === key && f.Values!.includes(t.Value!)));
      } else if (f.Name === 'instance-state-name') list = list.filter((x) => f.Values!.includes(x.State!.Name!));
      else if (f.Name === 'instance-id') list = list.filter((x) => f.Values!.includes(x.InstanceId!));
    }
    const start = Number(i.NextToken ?? 0);
    const page = list.slice(start, start + 2);
    return { Reservations: page.length > 0 ? [{ Instances: page }] : [], NextToken: start + 2 < list.length ? String(start + 2) : undefined };
  }

  private terminate(i: TerminateInstancesCommandInput) {
    if (i.DryRun) throw awsError('DryRunOperation');
    const missing = (i.InstanceIds ?? []).filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw awsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    for (const id of i.InstanceIds ?? []) this.instances.get(id)!.State = { Name: 'shutting-down' };
    return { TerminatingInstances: (i.InstanceIds ?? []).map((id) => ({ InstanceId: id, CurrentState: { Name: 'shutting-down' } })) };
  }

  private describeTypes(i: DescribeInstanceTypesCommandInput) {
    const want = i.Filters?.find((f) => f.Name === 'instance-type')?.Values ?? [];
    const types = DEFAULT_PRICE_TABLE.filter((p) => want.includes(p.instanceType));
    return { InstanceTypes: types.map((p) => ({ InstanceType: p.instanceType, VCpuInfo: { DefaultVCpus: p.vcpu }, MemoryInfo: { SizeInMiB: p.memoryGiB * 1024 } })) };
  }

  private spotHistory(i: DescribeSpotPriceHistoryCommandInput) {
    const azs = i.Filters?.find((f) => f.Name === 'availability-zone')?.Values ?? [];
    const rows = [];
    for (const [key, price] of [...this.spotPrices].sort()) {
      const [type, az] = key.split('/');
      if ((i.InstanceTypes as string[] | undefined)?.includes(type) && azs.includes(az)) {
        rows.push({ InstanceType: type, AvailabilityZone: az, SpotPrice: String(price), Timestamp: new Date(this.nowMs - 60_000), ProductDescription: 'Linux/UNIX' });
        rows.push({ InstanceType: type, AvailabilityZone: az, SpotPrice: String(price * 2), Timestamp: new Date(this.nowMs - 3_600_000), ProductDescription: 'Linux/UNIX' });
      }
    }
    return { SpotPriceHistory: rows, NextToken: '' };
  }
}
