/**
 * A simulated AWS account for handler tests: a World (SimulatedCloud + workload) driven by a
 * scenario, the DynamoDB state store and Powertools idempotency on dynalite, and the real Lambda
 * handler built with `createControllerHandler` over those ports.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Logger } from '@aws-lambda-powertools/logger';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../src/adapters/aws/dynamodb-state-store.js';
import { createControllerHandler } from '../../src/handlers/controller.js';
import { parseDeploymentConfig } from '../../src/handlers/deployment-config.js';
import { SimEventSource, SimMetricsSource } from '../../src/sim/sources.js';
import { simWorld } from './sim-world.js';
import type { Dynalite } from '../adapters/aws/dynalite-server.js';

export { START_SEC } from './sim-world.js';
import { START_SEC } from './sim-world.js';
let tables = 0;

/** The deployment configuration (as a user writes it) for the simulated account. */
export function deploymentInput(mode: string, limits?: Record<string, number>) {
  return {
    controller: {
      mode,
      pools: [{ kind: 'ec2', id: 'web', availabilityZones: ['us-east-1a', 'us-east-1b'], instanceRequirements: { vcpuMin: 2, vcpuMax: 4, allowedFamilies: ['m5', 'm6i'] }, maxUnits: 128 }],
      demandSignals: [{ seriesId: 'web-cpu', poolId: 'web', metricPerUnit: 5 }],
      ...(limits ? { limits } : {}),
    },
    aws: {
      launchTemplates: { web: { launchTemplateId: 'lt-0abc' } },
      series: { 'web-cpu': { kind: 'metric', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'web' } } },
      forecaster: 'seasonal-naive',
      historySec: 2 * 86_400,
    },
  };
}

/** A world, its ports and a handler over them. */
export async function simAccount(db: Dynalite, raw: unknown) {
  const config = parseDeploymentConfig(raw);
  const world = simWorld(config);
  const client = db.client();
  const n = tables++;
  await createStateTable(client, `state-${n}`);
  await client.send(new CreateTableCommand({
    TableName: `idem-${n}`, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }));
  const store = new DynamoDbStateStore(dynamoDbApi(client), `state-${n}`);
  const ports = { metrics: new SimMetricsSource(world), events: new SimEventSource(world), cloud: world.cloud, store, providerDryRun: false };
  let portBuilds = 0;
  const handler = createControllerHandler({
    loadConfig: () => parseDeploymentConfig(raw),
    buildPorts: () => { portBuilds++; return ports; },
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: `idem-${n}`, awsSdkV3Client: client }),
    logger: new Logger({ serviceName: 'prescale-test', logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'Prescale', serviceName: 'prescale-test' }),
  });
  return { world, store, handler, config, builds: () => portBuilds };
}

/** ISO time of tick `k`. */
export const iso = (k: number): string => new Date((START_SEC + k * 60) * 1000).toISOString();
