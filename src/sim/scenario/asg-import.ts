/**
 * Reads a user's Auto Scaling group and scaling policies from the JSON the AWS CLI prints
 * (`aws autoscaling describe-auto-scaling-groups` and `aws autoscaling describe-policies`) into
 * fleet settings (fleet.ts), so a backtest replays their own group without retyping it.
 *
 * Mapping (field names as in the EC2 Auto Scaling API reference):
 * - MinSize / MaxSize / OnDemandBaseCapacity are in instances unless DesiredCapacityType is "vcpu"
 *   (or "units", taken as vCPU); instances are converted to vCPU with the group's vCPU per instance:
 *   the mean vCPU of the overrides' instance types (from the price table), else
 *   InstanceRequirements.VCpuCount.Min, else the pool's smallest instance size.
 * - OnDemandPercentageAboveBaseCapacity → the on-demand share above base; override instance types →
 *   the allowed families; InstanceRequirements.VCpuCount → the instance vCPU range.
 * - DefaultInstanceWarmup (or a target-tracking policy's EstimatedInstanceWarmup) → warm-up;
 *   DefaultCooldown → the scale-in cooldown.
 * - TargetTrackingScaling: ASGAverageCPUUtilization's TargetValue → a CPU target "N%"; any other
 *   metric's TargetValue is per instance → metric per vCPU = TargetValue / vCPU per instance
 *   (ALBRequestCountPerTarget: requests per target per minute, the metric files' unit when they hold
 *   RequestCountPerTarget sums per minute).
 * - PredictiveScaling: Mode, SchedulingBufferTime, MaxCapacityBuffer.
 */
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../../core/model/index.js';
import type { InstanceTypePrice } from '../../core/market/index.js';
import type { FleetOptions, FleetSources } from './fleet.js';

const Override = z.looseObject({
  InstanceType: z.string().optional(),
  WeightedCapacity: z.string().optional(),
  InstanceRequirements: z.looseObject({ VCpuCount: z.looseObject({ Min: z.number().optional(), Max: z.number().optional() }).optional() }).optional(),
});
const Group = z.looseObject({
  AutoScalingGroupName: z.string(),
  MinSize: z.number().nonnegative(),
  MaxSize: z.number().nonnegative(),
  DesiredCapacityType: z.string().optional(),
  DefaultCooldown: z.number().nonnegative().optional(),
  DefaultInstanceWarmup: z.number().nonnegative().optional(),
  MixedInstancesPolicy: z.looseObject({
    LaunchTemplate: z.looseObject({ Overrides: z.array(Override).optional() }).optional(),
    InstancesDistribution: z.looseObject({ OnDemandBaseCapacity: z.number().nonnegative().optional(), OnDemandPercentageAboveBaseCapacity: z.number().min(0).max(100).optional() }).optional(),
  }).optional(),
});
const GroupsFile = z.looseObject({ AutoScalingGroups: z.array(Group).min(1) });
const Policy = z.looseObject({
  PolicyName: z.string().optional(),
  PolicyType: z.string().optional(),
  Enabled: z.boolean().optional(),
  EstimatedInstanceWarmup: z.number().nonnegative().optional(),
  TargetTrackingConfiguration: z.looseObject({
    TargetValue: z.number().positive(),
    PredefinedMetricSpecification: z.looseObject({ PredefinedMetricType: z.string() }).optional(),
  }).optional(),
  PredictiveScalingConfiguration: z.looseObject({
    Mode: z.enum(['ForecastAndScale', 'ForecastOnly']).optional(),
    SchedulingBufferTime: z.number().int().min(0).max(3600).optional(),
    MaxCapacityBuffer: z.number().min(0).max(100).optional(),
  }).optional(),
});
const PoliciesFile = z.looseObject({ ScalingPolicies: z.array(Policy) });

/** Fleet settings read from the AWS CLI's JSON, with their sources ("asg.json: MinSize"). */
export interface AsgImport {
  readonly options: FleetOptions;
  readonly sources: FleetSources;
  /** The group's vCPU per instance used to convert instance counts, and how it was found. */
  readonly vcpuPerInstance?: { readonly value: number; readonly how: string };
}

/**
 * Reads a describe-auto-scaling-groups result.
 * @param groupName which group when the file holds several (`--asg-name`)
 * @param fallbackVcpu vCPU per instance when the group names neither instance types nor requirements
 * @throws InputError naming the file and field (or `--asg-name`) on anything that does not fit
 */
export function importAutoScalingGroup(raw: unknown, file: string, prices: readonly InstanceTypePrice[], fallbackVcpu: number, groupName?: string): AsgImport {
  const r = GroupsFile.safeParse(raw);
  if (!r.success) throw inputErrorFromZod(r.error.issues, raw, file);
  const groups = r.data.AutoScalingGroups;
  let g = groups[0];
  if (groupName !== undefined) {
    const found = groups.find((x) => x.AutoScalingGroupName === groupName);
    if (!found) throw new InputError({ field: '--asg-name' }, groupName, `one of the groups in ${file} (${groups.map((x) => x.AutoScalingGroupName).join(', ')})`);
    g = found;
  } else if (groups.length > 1) {
    throw new InputError({ file, field: 'AutoScalingGroups' }, `${groups.length} groups`, `one group, or --asg-name naming one of ${groups.map((x) => x.AutoScalingGroupName).join(', ')}`);
  }
  const at = (f: string): string => `${file}: ${f}`;
  const overrides = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  const types = overrides.map((o) => o.InstanceType).filter((t): t is string => !!t);
  const typeVcpus = types.map((t) => prices.find((p) => p.instanceType === t)?.vcpu).filter((v): v is number => v !== undefined);
  const req = overrides.find((o) => o.InstanceRequirements?.VCpuCount)?.InstanceRequirements?.VCpuCount;
  const vcpuPerInstance = typeVcpus.length > 0
    ? { value: typeVcpus.reduce((a, b) => a + b, 0) / typeVcpus.length, how: `mean vCPU of ${types.join(', ')}` }
    : req?.Min !== undefined ? { value: req.Min, how: 'InstanceRequirements.VCpuCount.Min' } : { value: fallbackVcpu, how: `assumed: the pool's smallest instance size, ${fallbackVcpu} vCPU (the group names no instance type)` };
  const inVcpu = g.DesiredCapacityType === 'vcpu' || g.DesiredCapacityType === 'units';
  const toVcpu = (n: number): number => (inVcpu ? n : n * vcpuPerInstance.value);
  const unitNote = inVcpu ? '' : ` × ${vcpuPerInstance.value} vCPU/instance`;
  const options: Record<string, unknown> = { minVcpu: toVcpu(g.MinSize), maxVcpu: toVcpu(g.MaxSize) };
  const sources: FleetSources = { minVcpu: at(`MinSize${unitNote}`), maxVcpu: at(`MaxSize${unitNote}`) };
  if (options.maxVcpu === 0) throw new InputError({ file, field: 'MaxSize' }, g.MaxSize, 'a group that may hold at least one instance');
  const dist = g.MixedInstancesPolicy?.InstancesDistribution;
  if (dist?.OnDemandBaseCapacity !== undefined) { options.onDemandBaseVcpu = toVcpu(dist.OnDemandBaseCapacity); sources.onDemandBaseVcpu = at(`OnDemandBaseCapacity${unitNote}`); }
  if (dist?.OnDemandPercentageAboveBaseCapacity !== undefined) { options.onDemandPct = dist.OnDemandPercentageAboveBaseCapacity; sources.onDemandPct = at('OnDemandPercentageAboveBaseCapacity'); }
  if (!g.MixedInstancesPolicy) { options.onDemandPct = 100; sources.onDemandPct = at('no MixedInstancesPolicy (all on-demand)'); }
  if (types.length > 0) {
    options.instanceFamilies = [...new Set(types.map((t) => t.split('.')[0]))].sort();
    sources.instanceFamilies = at('Overrides[].InstanceType');
    const v = types.map((t) => prices.find((p) => p.instanceType === t)?.vcpu).filter((x): x is number => x !== undefined);
    if (v.length > 0) { options.vcpuMin = Math.min(...v); options.vcpuMax = Math.max(...v); sources.vcpuMin = sources.vcpuMax = at('Overrides[].InstanceType'); }
  } else if (req?.Min !== undefined) {
    options.vcpuMin = req.Min; sources.vcpuMin = at('InstanceRequirements.VCpuCount.Min');
    if (req.Max !== undefined) { options.vcpuMax = req.Max; sources.vcpuMax = at('InstanceRequirements.VCpuCount.Max'); }
  }
  if (g.DefaultInstanceWarmup !== undefined) { options.warmupSec = g.DefaultInstanceWarmup; sources.warmupSec = at('DefaultInstanceWarmup'); }
  if (g.DefaultCooldown !== undefined) { options.cooldownSec = g.DefaultCooldown; sources.cooldownSec = at('DefaultCooldown'); }
  return { options: options as FleetOptions, sources, vcpuPerInstance };
}

/**
 * Reads a describe-policies result: the first enabled target-tracking policy and the first predictive
 * scaling policy.
 * @param vcpuPerInstance converts a per-instance target (e.g. ALBRequestCountPerTarget) to per vCPU
 * @throws InputError naming the file and field when the file has neither kind of policy
 */
export function importScalingPolicies(raw: unknown, file: string, vcpuPerInstance: number): { options: FleetOptions; sources: FleetSources } {
  const r = PoliciesFile.safeParse(raw);
  if (!r.success) throw inputErrorFromZod(r.error.issues, raw, file);
  const enabled = r.data.ScalingPolicies.filter((p) => p.Enabled !== false);
  const tt = enabled.find((p) => p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingConfiguration);
  const ps = enabled.find((p) => p.PolicyType === 'PredictiveScaling' && p.PredictiveScalingConfiguration);
  if (!tt && !ps) throw new InputError({ file, field: 'ScalingPolicies' }, r.data.ScalingPolicies.map((p) => p.PolicyType ?? '?'), 'a TargetTrackingScaling or PredictiveScaling policy');
  const options: Record<string, unknown> = {};
  const sources: FleetSources = {};
  const at = (name: string | undefined, f: string): string => `${file}: ${name ?? 'policy'}.${f}`;
  if (tt) {
    const c = tt.TargetTrackingConfiguration!;
    const metric = c.PredefinedMetricSpecification?.PredefinedMetricType ?? 'customized metric';
    if (metric === 'ASGAverageCPUUtilization') {
      options.reactiveTarget = `${c.TargetValue}%`;
      sources.reactiveTarget = at(tt.PolicyName, 'TargetValue (ASGAverageCPUUtilization)');
    } else {
      // a per-instance target of the metric the series hold: one vCPU serves TargetValue / vCPU per instance
      options.metricPerVcpu = c.TargetValue / vcpuPerInstance;
      options.reactiveTarget = c.TargetValue / vcpuPerInstance;
      sources.metricPerVcpu = sources.reactiveTarget = at(tt.PolicyName, `TargetValue (${metric}) / ${vcpuPerInstance} vCPU per instance`);
    }
    if (tt.EstimatedInstanceWarmup !== undefined) { options.warmupSec = tt.EstimatedInstanceWarmup; sources.warmupSec = at(tt.PolicyName, 'EstimatedInstanceWarmup'); }
  }
  if (ps) {
    const c = ps.PredictiveScalingConfiguration!;
    if (c.Mode) { options.predictiveMode = c.Mode; sources.predictiveMode = at(ps.PolicyName, 'Mode'); }
    if (c.SchedulingBufferTime !== undefined) { options.predictiveBufferSec = c.SchedulingBufferTime; sources.predictiveBufferSec = at(ps.PolicyName, 'SchedulingBufferTime'); }
    if (c.MaxCapacityBuffer !== undefined) { options.predictiveBufferPct = c.MaxCapacityBuffer; sources.predictiveBufferPct = at(ps.PolicyName, 'MaxCapacityBuffer'); }
  }
  return { options: options as FleetOptions, sources };
}
