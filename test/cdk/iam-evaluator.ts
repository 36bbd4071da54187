/**
 * A small IAM policy evaluator for the controller's identity policy, and the authorization requests
 * EC2 makes for the adapter's CreateFleet call, so tests can check what real EC2 would allow (moto
 * enforces no IAM).
 *
 * Evaluation (IAM User Guide, "Policy evaluation logic" for one identity policy): a request is allowed
 * when some Allow statement matches its action, its resource and all of its conditions, and no Deny
 * statement matches. Actions and resources match with `*` and `?` wildcards; `StringEquals` /
 * `StringLike` need the key present and equal to (matching) one of the values; keys in one operator
 * are ANDed.
 *
 * CreateFleet authorization (EC2 User Guide, "Grant permission to tag Amazon EC2 resources during
 * creation" and the Service Authorization Reference for EC2): an `instant` fleet is authorized as
 * `ec2:CreateFleet` on the fleet and the launch template, and `ec2:RunInstances` on every resource
 * the launch creates or uses: instance, volume, network interface, spot instances request (spot),
 * subnet, security group, image, launch template. `aws:RequestTag/*` of a created resource are the
 * tags the request (or its launch template) puts on that resource type; each tagged type is also
 * authorized as `ec2:CreateTags` with `ec2:CreateAction` = the creating action. A spot launch needs
 * the service-linked role AWSServiceRoleForEC2Spot, which EC2 creates on first use through
 * `iam:CreateServiceLinkedRole` (EC2 User Guide, "Service-linked role for Spot Instances").
 */
import type { CreateFleetCommandInput } from '@aws-sdk/client-ec2';

/** One IAM statement as synthesized (after resolving intrinsics). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** One authorization request. */
export interface AuthzRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys with their values in this request context. */
  readonly context: Readonly<Record<string, string>>;
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

/** Resolves Ref (pseudo parameters), Fn::Join and Fn::GetAtt (to a placeholder) in a template value. */
export function resolve(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return PSEUDO[o.Ref as string] ?? `ref:${String(o.Ref)}`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (parts.map(resolve) as string[]).join(sep);
    }
    if ('Fn::GetAtt' in o) return `getatt:${(o['Fn::GetAtt'] as string[]).join('.')}`;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}

const list = (x: string | string[]): string[] => (Array.isArray(x) ? x : [x]);

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function conditionsHold(cond: Statement['Condition'], ctx: Readonly<Record<string, string>>): boolean {
  for (const [op, keys] of Object.entries(cond ?? {})) {
    for (const [key, want] of Object.entries(keys)) {
      const got = ctx[key];
      if (got === undefined) return false;
      if (op === 'StringEquals' && !list(want).includes(got)) return false;
      else if (op === 'StringLike' && !list(want).some((w) => glob(w, got))) return false;
      else if (op !== 'StringEquals' && op !== 'StringLike') throw new Error(`evaluator: condition operator ${op} not modelled`);
    }
  }
  return true;
}

function matches(s: Statement, r: AuthzRequest): boolean {
  return list(s.Action).some((a) => glob(a, r.action, true)) && list(s.Resource).some((p) => glob(p, r.resource)) && conditionsHold(s.Condition, r.context);
}

/** True when the policy allows the request. */
export function allows(statements: readonly Statement[], r: AuthzRequest): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, r))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, r));
}

/** Launch template tag specifications (resource type → tags) the fleet's template adds. */
export type TemplateTags = Readonly<Record<string, ReadonlyArray<{ Key: string; Value: string }>>>;

/** The authorization requests EC2 makes for an `instant` CreateFleet (see the module comment). */
export function createFleetRequests(input: CreateFleetCommandInput, opts: { templateTags?: TemplateTags; spotRoleExists?: boolean } = {}): AuthzRequest[] {
  const arn = (r: string): string => `arn:aws:ec2:us-east-1:123456789012:${r}`;
  const tagsOf = (type: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const t of opts.templateTags?.[type] ?? []) out[`aws:RequestTag/${t.Key}`] = t.Value;
    for (const spec of input.TagSpecifications ?? []) {
      if (spec.ResourceType === type) for (const t of spec.Tags ?? []) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
    }
    return out;
  };
  const spot = input.TargetCapacitySpecification?.DefaultTargetCapacityType === 'spot';
  const lt = input.LaunchTemplateConfigs?.[0]?.LaunchTemplateSpecification;
  const ltArn = arn(`launch-template/${lt?.LaunchTemplateId ?? lt?.LaunchTemplateName ?? 'unknown'}`);
  const subnet = input.LaunchTemplateConfigs?.[0]?.Overrides?.[0]?.SubnetId;
  const created = ['instance', 'volume', 'network-interface', ...(spot ? ['spot-instances-request'] : [])];
  const out: AuthzRequest[] = [
    { action: 'ec2:CreateFleet', resource: arn('fleet/fleet-0123'), context: tagsOf('fleet') },
    { action: 'ec2:CreateFleet', resource: ltArn, context: {} },
    ...created.map((t) => ({ action: 'ec2:RunInstances', resource: arn(`${t}/${t}-0123`), context: tagsOf(t) })),
    { action: 'ec2:RunInstances', resource: ltArn, context: {} },
    { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1::image/ami-0123', context: {} },
    { action: 'ec2:RunInstances', resource: arn('security-group/sg-0123'), context: {} },
    ...(subnet ? [{ action: 'ec2:RunInstances', resource: arn(`subnet/${subnet}`), context: {} }] : []),
  ];
  for (const t of ['fleet', ...created]) {
    const tags = tagsOf(t);
    if (Object.keys(tags).length === 0) continue;
    out.push({ action: 'ec2:CreateTags', resource: arn(`${t}/${t}-0123`), context: { ...tags, 'ec2:CreateAction': t === 'fleet' ? 'CreateFleet' : 'RunInstances' } });
  }
  if (spot && !opts.spotRoleExists) {
    out.push({
      action: 'iam:CreateServiceLinkedRole', resource: 'arn:aws:iam::123456789012:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot',
      context: { 'iam:AWSServiceName': 'spot.amazonaws.com' },
    });
  }
  return out;
}
