/**
 * EC2 `Instance` (SDK shape) → the port's {@link Instance}, and the owner-tag filters prescale uses
 * in every DescribeInstances call.
 */
import type { Filter, Instance as Ec2Instance, InstanceStateName } from '@aws-sdk/client-ec2';
import {
  OWNER_TAG_KEY, POOL_TAG_KEY, offeringId,
  type Instance, type InstanceState, type Market,
} from '../../core/model/index.js';

/** Tag key carrying the command id (client token) that launched an instance. */
export const COMMAND_TAG_KEY = 'prescale:command';
/** Tag key carrying the offering id of an instance. */
export const OFFERING_TAG_KEY = 'prescale:offering';

/** DescribeInstances filter: only instances carrying prescale's owner tag with this owner value. */
export function ownerFilter(owner: string): Filter {
  return { Name: `tag:${OWNER_TAG_KEY}`, Values: [owner] };
}

/** The tags of an SDK instance as a record. */
export function tagsOf(i: Ec2Instance): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of i.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** EC2 state name → the port's lifecycle state (stopping/stopped count as gone: prescale never stops). */
export function portState(name: InstanceStateName | string | undefined): InstanceState {
  if (name === 'pending') return 'pending';
  if (name === 'running') return 'running';
  return 'terminated';
}

/**
 * Maps an SDK instance to the port's shape.
 * @param priceOf price lookup for an offering id (USD per hour); 0 when unknown
 */
export function toPortInstance(i: Ec2Instance, priceOf: (offeringId: string, instanceType: string, market: Market) => number): Instance {
  const tags = tagsOf(i);
  const market: Market = i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand';
  const instanceType = i.InstanceType ?? 'unknown';
  const az = i.Placement?.AvailabilityZone ?? 'unknown';
  const oid = tags[OFFERING_TAG_KEY] ?? offeringId(instanceType, market, az);
  const cores = i.CpuOptions?.CoreCount;
  const threads = i.CpuOptions?.ThreadsPerCore ?? 1;
  const launchedAtSec = i.LaunchTime ? i.LaunchTime.getTime() / 1000 : 0;
  const state = portState(i.State?.Name);
  return {
    id: i.InstanceId ?? '',
    poolId: tags[POOL_TAG_KEY] ?? '',
    offeringId: oid,
    instanceType,
    market,
    az,
    capacityUnits: cores !== undefined ? cores * threads : 1,
    state,
    launchedAtSec,
    priceUsdPerHour: priceOf(oid, instanceType, market),
    commandId: tags[COMMAND_TAG_KEY] ?? '',
    tags,
  };
}
