import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthStack } from './stack-fixture.js';

let base: ReturnType<typeof synthStack>;
beforeAll(() => { base = synthStack(); });

describe('prescale CDK stack: storage, events, alarms, nag', () => {
  it('encrypts both tables and keeps point-in-time recovery on', () => {
    const tables = Object.values(base.template.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: Record<string, unknown> }>;
    expect(tables).toHaveLength(2);
    for (const t of tables) {
      expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true });
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    base.template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] });
    base.template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } });
  });

  it('expires old log entries of the state table through its TTL attribute (the store writes expiresAt)', () => {
    base.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('encrypts the reports bucket, blocks public access and denies requests without TLS', () => {
    base.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    base.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: base.Match.arrayWith([base.Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('routes spot interruption warnings and rebalance recommendations to an encrypted queue with a dead-letter queue', () => {
    for (const detail of ['EC2 Spot Instance Interruption Warning', 'EC2 Instance Rebalance Recommendation']) {
      base.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ec2'], 'detail-type': [detail] } });
    }
    base.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, RedrivePolicy: base.Match.objectLike({ maxReceiveCount: 5 }) });
  });

  it('alarms on safety-limit breaches, tick errors and missing ticks, notifying an encrypted topic', () => {
    base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SafetyLimitBreaches', Namespace: 'Prescale', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [base.Match.objectLike({ Ref: base.Match.stringLikeRegexp('ObservabilityAlarmTopic') })],
    });
    base.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    base.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Invocations', ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    base.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: base.Match.anyValue() });
    base.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('puts the Chain API behind IAM authorisation on every method, with access logs', () => {
    const methods = Object.values(base.template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: { AuthorizationType: string; HttpMethod: string } }>;
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods.filter((x) => x.Properties.HttpMethod !== 'OPTIONS')) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    base.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1', AccessLogSetting: base.Match.objectLike({ DestinationArn: base.Match.anyValue() }) });
    expect(synthStack({ 'prescale:chainApi': 'false' }).template.findResources('AWS::ApiGateway::RestApi')).toEqual({});
  });

  it('optionally creates an encrypted Multi-AZ prefetch cache the controller may scale, still passing cdk-nag', () => {
    const withCache = synthStack({ 'prescale:prefetchCache': 'true' });
    withCache.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: 'prescale-prefetch', AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true, MultiAZEnabled: true, Port: 6380,
      // shards can be added online only in cluster mode, which needs automatic failover
      ClusterMode: 'enabled', CacheParameterGroupName: 'default.valkey8.cluster.on', EngineVersion: '8.0', AutomaticFailoverEnabled: true, ReplicasPerNodeGroup: 1,
    });
    const scale = Object.values(withCache.template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Sid?: string; Resource: unknown }> } } }).Properties.PolicyDocument.Statement)
      .find((s) => s.Sid === 'ScaleConfiguredReplicationGroups');
    expect(JSON.stringify(scale?.Resource)).toContain('replicationgroup:prescale-prefetch');
    expect(withCache.annotations.findError('*', withCache.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    base.template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });

  it('deploys a cache pool the controller may shrink to no replica single-AZ, with the Multi-AZ finding suppressed and explained', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cdk-'));
    const file = join(dir, 'cache.json');
    writeFileSync(file, JSON.stringify({
      controller: { pools: [{ kind: 'ec2', id: 'web', markets: ['on-demand'] }, { kind: 'elasticache', id: 'prefetch-cache', nodeType: 'cache.t4g.small', shards: 1, replicasPerShard: 0, minReplicasPerShard: 0 }] },
      aws: { autoScalingGroups: { web: { name: 'web-asg' } }, replicationGroupIds: { 'prefetch-cache': 'prescale-prefetch' } },
    }));
    const single = synthStack({ 'prescale:config': file, 'prescale:prefetchCache': 'true', 'prescale:chainApi': 'false' });
    single.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: 'prescale-prefetch', CacheNodeType: 'cache.t4g.small', NumNodeGroups: 1, ReplicasPerNodeGroup: 0, MultiAZEnabled: false, ClusterMode: 'enabled', AutomaticFailoverEnabled: true,
    });
    expect(single.annotations.findError('*', single.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(JSON.stringify(single.template.toJSON())).toMatch(/"reason":"The cache pool lets the controller scale to no replica[^"]*","id":"AwsSolutions-AEC4"/);
  });

  it('has no unsuppressed cdk-nag AwsSolutions errors or warnings, and every suppression has a reason', () => {
    const errors = base.annotations.findError('*', base.Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
    const warnings = base.annotations.findWarning('*', base.Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
    const json = JSON.stringify(base.template.toJSON());
    const reasons = [...json.matchAll(/"reason":"([^"]*)"/g)].map((m) => m[1]);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r.length).toBeGreaterThan(20);
  });
});
