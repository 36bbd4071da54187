/**
 * Builds the controller's ports from AWS adapters for a deployment: CloudWatch metrics, SQS spot
 * events (+ the execution log in DynamoDB), the EC2/ElastiCache provider (with `DryRun` in dry-run
 * mode), the Pricing catalog with its static fallback, and the DynamoDB state store.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { autoScalingApi } from '../adapters/aws/auto-scaling-pools.js';
import { AwsCloudProvider } from '../adapters/aws/aws-cloud-provider.js';
import { AwsPriceCatalog } from '../adapters/aws/aws-price-catalog.js';
import { CloudWatchMetricsSource } from '../adapters/aws/cloudwatch-metrics-source.js';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { cloudWatchApi, ec2Api, elastiCacheApi, pricingApi, sqsApi } from '../adapters/aws/sdk.js';
import { SqsEventSource } from '../adapters/aws/sqs-event-source.js';
import { CursorLogReader } from '../adapters/aws/execution-log-cursor.js';
import type { ExecutionEvent } from '../core/model/index.js';
import type { CloudProvider, EventSource, Logger, MetricsSource, PriceCatalog, StateStore } from '../ports/index.js';
import type { DeploymentConfig } from './deployment-config.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import type { Preparer } from '../ports/preparer.js';
import type { StepRouter } from '../ports/step-router.js';
import { DynamoDbRouteTable, routeTableApi } from '../adapters/aws/dynamodb-route-table.js';
import { awsPrepareTransports, preparerFromEnv } from './aws-preparer.js';
import { PrefetchMeter } from './prefetch-meter.js';

/** Log the chain API appends workflow execution events to (read by the tick's EventSource). */
export const EXECUTION_LOG = 'execution-events';

/** The ports a controller runs on. */
export interface ControllerPorts {
  readonly metrics: MetricsSource;
  readonly events: EventSource;
  readonly cloud: CloudProvider;
  readonly store: StateStore;
  readonly prices?: PriceCatalog;
  /** True when `cloud` sends EC2 calls with `DryRun`. */
  readonly providerDryRun: boolean;
  /** Carries out pre-execute commands as `prepare` messages (absent without state machines). */
  readonly preparer?: Preparer;
  /** Resumed / cold steps seen in the execution events, and the accepted preparations (the prefetch metrics, per A/B arm). */
  readonly prefetchMeter?: Pick<PrefetchMeter, 'drain' | 'prepared'>;
  /** Publishes the burst routes to the decision table (`PRESCALE_BURST_ROUTE_TABLE`); absent: no burst tier. */
  readonly stepRouter?: StepRouter;
}

/** Where the AWS resources are. */
export interface AwsPortsOptions {
  readonly region: string;
  readonly stateTable: string;
  readonly queueUrl: string;
  readonly logger?: Logger;
  /** Seconds the running tick can spare for long-polling the spot events queue. @default 2 */
  readonly pollBudgetSec?: () => number;
  /** The environment the preparer's queues and machines come from (src/handlers/aws-preparer.ts). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The tick's reader of workflow execution events: the execution log read from its stored cursor, so a
 * tick reads only what was appended since the previous one (not the log from sequence 0).
 */
export function executionEventsReader(store: DynamoDbStateStore, ...observers: ReadonlyArray<{ observe(events: readonly ExecutionEvent[]): void } | undefined>): (sinceSec: number, untilSec: number) => Promise<ExecutionEvent[]> {
  const reader = new CursorLogReader<ExecutionEvent>(store, EXECUTION_LOG);
  return async (since, until) => {
    const events = await reader.read(since, until);
    for (const o of observers) o?.observe(events);
    return events;
  };
}

/** Builds the AWS ports (no AWS call is made until a port is used). */
export function buildAwsPorts(config: DeploymentConfig, opts: AwsPortsOptions): ControllerPorts {
  const client = { region: opts.region };
  const store = new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ region: opts.region, retryMode: 'adaptive', maxAttempts: 5 })), opts.stateTable);
  // The Price List API is served from us-east-1 (also eu-central-1, ap-south-1).
  const prices = new AwsPriceCatalog({ api: pricingApi({ region: 'us-east-1' }), clock: systemClock, logger: opts.logger });
  const dryRun = config.controller.mode === 'dry-run';
  const cloud = new AwsCloudProvider({
    ec2: ec2Api(client),
    elasticache: config.controller.pools.some((p) => p.kind === 'elasticache') ? elastiCacheApi(client) : undefined,
    prices, clock: systemClock, region: opts.region, pools: config.controller.pools,
    launchTemplates: config.aws.launchTemplates, subnetsByAz: config.aws.subnetsByAz, replicationGroupIds: config.aws.replicationGroupIds,
    autoScalingGroups: config.aws.autoScalingGroups,
    autoScaling: Object.keys(config.aws.autoScalingGroups).length > 0 ? autoScalingApi(client) : undefined,
    owner: config.aws.owner, dryRun, placementScores: config.aws.placementScores, availabilityZoneIds: config.aws.availabilityZoneIds,
    logger: opts.logger,
  });
  const metrics = new CloudWatchMetricsSource({ api: cloudWatchApi(client), series: config.aws.series, logger: opts.logger });
  const prefetchMeter = new PrefetchMeter({ ...(config.controller.prefetch.abTest ? { abTest: config.controller.prefetch.abTest } : {}), workflows: config.controller.workflows, defaultTtlSec: config.controller.prefetch.ttlSec });
  const prep = preparerFromEnv(opts.env ?? process.env, { transports: awsPrepareTransports(opts.region), workflows: config.controller.workflows, clock: systemClock, ttlSec: config.controller.prefetch.ttlSec });
  const events = new SqsEventSource({
    api: sqsApi(client), queueUrl: opts.queueUrl, logger: opts.logger, pollBudgetSec: opts.pollBudgetSec,
    executionEvents: executionEventsReader(store, prep?.index, prefetchMeter),
  });
  const routeTable = (opts.env ?? process.env).PRESCALE_BURST_ROUTE_TABLE;
  const stepRouter = routeTable ? new DynamoDbRouteTable(routeTableApi(new DynamoDBClient({ region: opts.region, retryMode: 'adaptive', maxAttempts: 5 })), routeTable) : undefined;
  return { metrics, events, cloud, store, prices, providerDryRun: dryRun, prefetchMeter, ...(prep ? { preparer: prep.preparer } : {}), ...(stepRouter ? { stepRouter } : {}) };
}
