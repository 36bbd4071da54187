/**
 * EC2 pools backed by an Auto Scaling group instead of EC2 Fleet: launches raise the group's desired
 * capacity (`SetDesiredCapacity`), terminations remove owned instances with
 * `TerminateInstanceInAutoScalingGroup` (decrementing the desired capacity), and an optional warm
 * pool of pre-initialised instances is created at a configured size when the group has none
 * (`PutWarmPool`), then sized by the planner's `warm-pool` commands (core/plan/warm-pool.ts) on groups
 * carrying prescale's owner tag only. Warm pools do not support Spot Instances or mixed instances
 * policies (EC2 Auto Scaling User Guide, "Warm pools", Limitations; PutWarmPool API reference), so
 * such pools are on-demand only.
 *
 * Idempotency: the group carries a `prescale:last-command` tag with the id of the last command
 * applied (and, for launches, `prescale:last-target`, the absolute desired capacity it set), written
 * before the change; a command whose id equals it is reported `duplicate` (a retried tick after a
 * crash) after re-asserting its absolute target.
 */
import {
  AutoScalingClient, CreateOrUpdateTagsCommand, type CreateOrUpdateTagsCommandInput, type CreateOrUpdateTagsCommandOutput,
  DescribeAutoScalingGroupsCommand, type DescribeAutoScalingGroupsCommandInput, type DescribeAutoScalingGroupsCommandOutput,
  DescribeWarmPoolCommand, type DescribeWarmPoolCommandInput, type DescribeWarmPoolCommandOutput,
  PutWarmPoolCommand, type PutWarmPoolCommandInput, type PutWarmPoolCommandOutput,
  SetDesiredCapacityCommand, type SetDesiredCapacityCommandInput, type SetDesiredCapacityCommandOutput,
  TerminateInstanceInAutoScalingGroupCommand, type TerminateInstanceInAutoScalingGroupCommandInput,
  type TerminateInstanceInAutoScalingGroupCommandOutput, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { OWNER_TAG_KEY, offeringId, type ApplyResult, type LaunchCommand, type TerminateCommand, type WarmPoolCommand, type WarmPoolState } from '../../core/model/index.js';
import { readCall, toApplyError } from './errors.js';
import { clientConfig, type AwsClientOptions } from './sdk.js';

/** The Auto Scaling operations prescale uses. */
export interface AutoScalingApi {
  describeAutoScalingGroups(i: DescribeAutoScalingGroupsCommandInput): Promise<DescribeAutoScalingGroupsCommandOutput>;
  setDesiredCapacity(i: SetDesiredCapacityCommandInput): Promise<SetDesiredCapacityCommandOutput>;
  terminateInstanceInAutoScalingGroup(i: TerminateInstanceInAutoScalingGroupCommandInput): Promise<TerminateInstanceInAutoScalingGroupCommandOutput>;
  createOrUpdateTags(i: CreateOrUpdateTagsCommandInput): Promise<CreateOrUpdateTagsCommandOutput>;
  describeWarmPool(i: DescribeWarmPoolCommandInput): Promise<DescribeWarmPoolCommandOutput>;
  putWarmPool(i: PutWarmPoolCommandInput): Promise<PutWarmPoolCommandOutput>;
}

/** Wraps an Auto Scaling client (or builds one with adaptive retry) as {@link AutoScalingApi}. */
export function autoScalingApi(client: AutoScalingClient | AwsClientOptions): AutoScalingApi {
  const c = client instanceof AutoScalingClient ? client : new AutoScalingClient(clientConfig(client));
  return {
    describeAutoScalingGroups: (i) => c.send(new DescribeAutoScalingGroupsCommand(i)),
    setDesiredCapacity: (i) => c.send(new SetDesiredCapacityCommand(i)),
    terminateInstanceInAutoScalingGroup: (i) => c.send(new TerminateInstanceInAutoScalingGroupCommand(i)),
    createOrUpdateTags: (i) => c.send(new CreateOrUpdateTagsCommand(i)),
    describeWarmPool: (i) => c.send(new DescribeWarmPoolCommand(i)),
    putWarmPool: (i) => c.send(new PutWarmPoolCommand(i)),
  };
}

/** An Auto Scaling group backing a pool. */
export interface AutoScalingGroupRef {
  readonly name: string;
  /** Keep a warm pool of this many pre-initialised (stopped) instances. @default none */
  readonly warmPoolMinSize?: number;
}

/** Tag on the group holding the id of the last command applied to it. */
export const LAST_COMMAND_TAG_KEY = 'prescale:last-command';
/** Tag on the group holding the absolute desired capacity the last launch command set. */
export const LAST_TARGET_TAG_KEY = 'prescale:last-target';

/** See module documentation. */
export class AutoScalingPools {
  private readonly warmChecked = new Set<string>();

  constructor(private readonly api: AutoScalingApi, private readonly dryRun: boolean) {}

  /**
   * Raises the desired capacity by the launch's count (clamped to MaxSize: `partial`), as an absolute
   * target recorded on the group before it is set: the `prescale:last-command` and
   * `prescale:last-target` tags are written first, then `SetDesiredCapacity` to that target. A retry
   * of the same command (crash or lost response at any point) finds its tag and sets the same
   * absolute target again, so it never adds `count` twice. The result carries `launchedCount`
   * (instances the group will add; their ids are not known yet).
   */
  async launch(ref: AutoScalingGroupRef, cmd: LaunchCommand): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    try {
      const g = await this.group(ref.name);
      const recorded = lastCommand(g) === cmd.id ? Number(tagOf(g, LAST_TARGET_TAG_KEY)) : Number.NaN;
      if (Number.isFinite(recorded)) {
        // the same command again: make sure its absolute target holds, add nothing
        if (!this.dryRun && g.DesiredCapacity !== recorded) {
          await this.api.setDesiredCapacity({ AutoScalingGroupName: ref.name, DesiredCapacity: recorded, HonorCooldown: false });
        }
        return { ...base, status: 'duplicate' };
      }
      if (lastCommand(g) === cmd.id) return { ...base, status: 'duplicate' };
      await this.ensureWarmPool(ref);
      const current = g.DesiredCapacity ?? 0;
      const desired = current + cmd.count;
      const target = Math.min(desired, g.MaxSize ?? desired);
      if (target <= current) {
        return { ...base, status: 'failed', error: { code: 'limit-exceeded', message: `group ${ref.name} is at MaxSize ${g.MaxSize}` } };
      }
      if (this.dryRun) return { ...base, status: 'dry-run' };
      await this.tagLast(ref.name, cmd.id, target);
      await this.api.setDesiredCapacity({ AutoScalingGroupName: ref.name, DesiredCapacity: target, HonorCooldown: false });
      const launchedCount = target - current;
      if (target < desired) return { ...base, launchedCount, status: 'partial', error: { code: 'limit-exceeded', message: `desired ${desired} clamped to MaxSize ${g.MaxSize}` } };
      return { ...base, launchedCount, status: 'applied' };
    } catch (err) {
      return { ...base, status: 'failed', error: toApplyError(err, ['autoscaling:SetDesiredCapacity', 'autoscaling:CreateOrUpdateTags']) };
    }
  }

  /** Terminates instances (already checked to carry the owner tag) and decrements the desired capacity. */
  async terminate(ref: AutoScalingGroupRef, cmd: TerminateCommand): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    try {
      const g = await this.group(ref.name);
      if (lastCommand(g) === cmd.id) return { ...base, status: 'duplicate' };
      const members = new Set((g.Instances ?? []).map((i) => i.InstanceId));
      const outside = cmd.instanceIds.filter((id) => !members.has(id));
      if (outside.length > 0) return { ...base, status: 'failed', error: { code: 'invalid', message: `not in group ${ref.name}: ${outside.join(', ')}` } };
      if (this.dryRun) return { ...base, status: 'dry-run', instanceIds: [...cmd.instanceIds] };
      for (const id of cmd.instanceIds) await this.api.terminateInstanceInAutoScalingGroup({ InstanceId: id, ShouldDecrementDesiredCapacity: true });
      await this.tagLast(ref.name, cmd.id);
      return { ...base, status: 'applied', instanceIds: [...cmd.instanceIds] };
    } catch (err) {
      return { ...base, status: 'failed', error: toApplyError(err, ['autoscaling:TerminateInstanceInAutoScalingGroup']) };
    }
  }

  /**
   * Sizes the group's warm pool to exactly `cmd.minSize` stopped instances: `PutWarmPool` with
   * `MinSize` = `MaxGroupPreparedCapacity` = minSize ("Only when MaxGroupPreparedCapacity and MinSize
   * are set to the same value does the warm pool have an absolute size", PutWarmPool API reference),
   * `PoolState: Stopped` (pays only EBS) and `ReuseOnScaleIn` (scale-in returns instances to the pool).
   * An absolute setting, so a retried command puts the same size again. Only on a group carrying
   * prescale's owner tag (`not-owned` otherwise) and without a mixed instances policy (`unsupported`:
   * PutWarmPool cannot be called on one). Already at that size: `applied`, nothing put.
   */
  async putWarmPool(ref: AutoScalingGroupRef, cmd: WarmPoolCommand): Promise<ApplyResult> {
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    try {
      const g = await this.group(ref.name);
      if (tagOf(g, OWNER_TAG_KEY) === undefined) return { ...base, status: 'failed', error: { code: 'not-owned', message: `Auto Scaling group ${ref.name} lacks tag ${OWNER_TAG_KEY}: its warm pool is not prescale's to change` } };
      if (g.MixedInstancesPolicy) return { ...base, status: 'failed', error: { code: 'unsupported', message: `Auto Scaling group ${ref.name} has a mixed instances policy, which warm pools do not support` } };
      if (!Number.isInteger(cmd.minSize) || cmd.minSize < 0) return { ...base, status: 'failed', error: { code: 'invalid', message: `warm pool minSize must be a non-negative integer, got ${cmd.minSize}` } };
      const cur = (await readCall('autoscaling:DescribeWarmPool', () => this.api.describeWarmPool({ AutoScalingGroupName: ref.name }))).WarmPoolConfiguration;
      if (cur && cur.MinSize === cmd.minSize && cur.MaxGroupPreparedCapacity === cmd.minSize && cur.PoolState === 'Stopped' && cur.InstanceReusePolicy?.ReuseOnScaleIn === true) return { ...base, status: 'applied' };
      if (this.dryRun) return { ...base, status: 'dry-run' };
      await this.api.putWarmPool({
        AutoScalingGroupName: ref.name, MinSize: cmd.minSize, MaxGroupPreparedCapacity: cmd.minSize, PoolState: 'Stopped', InstanceReusePolicy: { ReuseOnScaleIn: true },
      });
      this.warmChecked.add(ref.name);
      return { ...base, status: 'applied' };
    } catch (err) {
      return { ...base, status: 'failed', error: toApplyError(err, ['autoscaling:PutWarmPool']) };
    }
  }

  /**
   * The group's warm pool as the port describes it (DescribeWarmPool): its size and its instances by
   * lifecycle state (`Warmed:Stopped` ready to start, `Warmed:Pending*` initialising); undefined when the
   * group has none. The offering is the warm instances' type and zone (the group's launch template
   * type), or `pending/on-demand/<group>` while it holds none yet.
   */
  async describeWarmPool(ref: AutoScalingGroupRef, poolId: string): Promise<WarmPoolState | undefined> {
    const res = await readCall('autoscaling:DescribeWarmPool', () => this.api.describeWarmPool({ AutoScalingGroupName: ref.name }));
    const cfg = res.WarmPoolConfiguration;
    if (!cfg) return undefined;
    const inst = res.Instances ?? [];
    const stoppedCount = inst.filter((i) => i.LifecycleState === 'Warmed:Stopped').length;
    const pendingCount = inst.filter((i) => String(i.LifecycleState ?? '').startsWith('Warmed:Pending')).length;
    const first = inst.find((i) => i.InstanceType && i.AvailabilityZone);
    return { poolId, offeringId: first ? offeringId(first.InstanceType!, 'on-demand', first.AvailabilityZone!) : `pending/on-demand/${ref.name}`, minSize: cfg.MinSize ?? 0, stoppedCount, pendingCount };
  }

  /**
   * Creates the configured warm pool (`warmPoolMinSize`) once per process when the group has none;
   * a warm pool already there (put by the planner's `warm-pool` commands) is left at its size.
   */
  private async ensureWarmPool(ref: AutoScalingGroupRef): Promise<void> {
    if (ref.warmPoolMinSize === undefined || this.warmChecked.has(ref.name) || this.dryRun) return;
    const res = await readCall('autoscaling:DescribeWarmPool', () => this.api.describeWarmPool({ AutoScalingGroupName: ref.name }));
    if (res.WarmPoolConfiguration === undefined) {
      await this.api.putWarmPool({ AutoScalingGroupName: ref.name, MinSize: ref.warmPoolMinSize, PoolState: 'Stopped' });
    }
    this.warmChecked.add(ref.name);
  }

  private async tagLast(name: string, id: string, target?: number): Promise<void> {
    const tag = (Key: string, Value: string) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key, Value: Value.slice(0, 256), PropagateAtLaunch: false });
    await this.api.createOrUpdateTags({ Tags: [tag(LAST_COMMAND_TAG_KEY, id), ...(target !== undefined ? [tag(LAST_TARGET_TAG_KEY, String(target))] : [])] });
  }

  private async group(name: string): Promise<AutoScalingGroup> {
    const res = await readCall('autoscaling:DescribeAutoScalingGroups', () => this.api.describeAutoScalingGroups({ AutoScalingGroupNames: [name] }));
    const g = res.AutoScalingGroups?.[0];
    if (!g) throw Object.assign(new Error(`Auto Scaling group ${name} not found`), { name: 'ValidationError' });
    return g;
  }
}

function tagOf(g: AutoScalingGroup, key: string): string | undefined {
  return g.Tags?.find((t) => t.Key === key)?.Value;
}

function lastCommand(g: AutoScalingGroup): string | undefined {
  return tagOf(g, LAST_COMMAND_TAG_KEY);
}
