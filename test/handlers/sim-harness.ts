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
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';
import { createControllerHandler } from '../../src/handlers/controller.js';
import { parseDeploymentConfig } from '../../src/handlers/deployment-config.js';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { ScenarioSchema } from '../../src/sim/scenario/schema.js';
import { SimEventSource, SimMetricsSource } from '../../src/sim/sources.js';
import { World } from '../../src/sim/world.js';
import type { Dynalite } from '../adapters/aws/dynalite-server.js';

export const START_SEC = 1_795_000_000 - (1_795_000_000 % 3600);
let tables = 0;

/** A daily-seasonal CPU-like demand series (5-minute periods) starting two days before the run. */
function demandSeries(): { id: string; startSec: number; periodSec: number; values: number[] } {
  const values: number[] = [];
  for (let i = 0; i < 3 * 288; i++) values.push(40 + 30 * Math.sin((2 * Math.PI * i) / 288));
  return { id: 'web-cpu', startSec: START_SEC - 2 * 86_400, periodSec: 300, values };
}

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
  const scenario = ScenarioSchema.parse({
    name: 'handler-e2e', seed: 7, startSec: START_SEC, days: 0.1, pools: config.controller.pools,
    prices: DEFAULT_PRICE_TABLE, series: [demandSeries()], demandSignals: config.controller.demandSignals,
  });
  const world = new World(scenario, metricDemandByPool(scenario, 200));
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
