/**
 * The scheduled controller Lambda (composition root): one tick per invocation.
 *
 * - Event: `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }` from EventBridge Scheduler. An event
 *   without `scheduledTime` (the CDK deploy trigger) or with `"smokeTest": true` runs the smoke test:
 *   configuration parsed, every adapter built, state and capacity read, nothing changed.
 * - Idempotency per tick (Powertools, DynamoDB persistence) keyed by `scheduledTime`: a retried
 *   delivery of the same schedule returns the first result without running the tick again.
 * - Powertools Logger and Metrics (CloudWatch Embedded Metric Format, namespace `Prescale`).
 * - Configuration: `PRESCALE_CONFIG_FILE` (bundled `prescale.config.json`) or `PRESCALE_CONFIG`,
 *   `PRESCALE_MODE` (forecast-only | dry-run | active), `PRESCALE_STATE_TABLE`,
 *   `PRESCALE_IDEMPOTENCY_TABLE`, `PRESCALE_EVENTS_QUEUE_URL`, `AWS_REGION`. A bad configuration
 *   makes every invocation fail before any AWS call.
 */
import { readFileSync } from 'node:fs';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createForecaster } from '../core/forecast/index.js';
import { prefetchSelectionFrom } from '../app/tick.js';
import { buildAwsPorts, type ControllerPorts } from './aws-ports.js';
import { createControllerRunner, type ControllerRunner, type TickMetricsSink, type TickSummary } from './controller-runner.js';
import { loadDeploymentConfig, type DeploymentConfig } from './deployment-config.js';
import { backlogSignalsOf, withPoolBacklog } from './pool-backlog.js';
import type { Logger as PortLogger } from '../ports/index.js';
import { runSmokeTest, type SmokeTestResult } from './smoke-test.js';

/** The scheduled event (the Scheduler target's input). */
export interface ControllerEvent {
  readonly scheduledTime?: string;
  readonly smokeTest?: boolean;
}

/** The subset of the Lambda context the handler reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  readonly functionName?: string;
  readonly awsRequestId?: string;
}

/** What the handler is built from (defaults: AWS adapters from the environment). */
export interface ControllerHandlerDeps {
  readonly loadConfig: () => DeploymentConfig;
  /** `pollBudgetSec`: seconds the current invocation can spare for long-polling spot events. */
  readonly buildPorts: (config: DeploymentConfig, pollBudgetSec: () => number) => ControllerPorts;
  readonly persistenceStore: BasePersistenceLayer;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

const UNITS = { Count: MetricUnit.Count, Percent: MetricUnit.Percent, None: MetricUnit.NoUnit, Seconds: MetricUnit.Seconds } as const;

/** Most values of one metric, and most metrics, in one EMF document (Powertools flushes at 100 of either). */
const EMF_CHUNK = 99;

/** The runner's sink over Powertools Metrics; {@link PowertoolsSink.flush} publishes the dimensioned metrics. */
export interface PowertoolsSink extends TickMetricsSink {
  /**
   * Publishes the dimensioned metrics added since the last call, one EMF document per dimension set
   * (`pool`, `Arm`), values of a metric as an array (split so Powertools' 100-value and 100-metric
   * limits never flush a document without its dimensions). Call after `publishStoredMetrics()`.
   */
  flush(): void;
}

/**
 * Powertools Metrics as the runner's sink: metrics without dimensions go to `metrics` (published by
 * the handler), dimensioned ones are kept per dimension set until {@link PowertoolsSink.flush}.
 */
export function powertoolsSink(metrics: Metrics): PowertoolsSink {
  const groups = new Map<string, { dims: Record<string, string>; rows: Array<[string, keyof typeof UNITS, number]> }>();
  return {
    add(name, unit, value, dimensions) {
      if (!dimensions || Object.keys(dimensions).length === 0) {
        metrics.addMetric(name, UNITS[unit], value);
        return;
      }
      const dims = Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
      const k = JSON.stringify(dims);
      const g = groups.get(k) ?? { dims, rows: [] };
      g.rows.push([name, unit, value]);
      groups.set(k, g);
    },
    flush() {
      for (const g of groups.values()) {
        let counts = new Map<string, number>();
        const start = (): void => {
          counts = new Map();
          for (const [d, v] of Object.entries(g.dims)) metrics.addDimension(d, v);
        };
        start();
        for (const [name, unit, value] of g.rows) {
          const n = counts.get(name) ?? 0;
          if (n >= EMF_CHUNK || (n === 0 && counts.size >= EMF_CHUNK)) {
            metrics.publishStoredMetrics();
            start();
          }
          counts.set(name, (counts.get(name) ?? 0) + 1);
          metrics.addMetric(name, UNITS[unit], value);
        }
        metrics.publishStoredMetrics();
      }
      groups.clear();
    },
  };
}

/** The Powertools logger as the port's Logger. */
export function portLogger(l: Logger): PortLogger {
  return {
    debug: (m, f) => l.debug(m, { ...f }),
    info: (m, f) => l.info(m, { ...f }),
    warn: (m, f) => l.warn(m, { ...f }),
    error: (m, f) => l.error(m, { ...f }),
  };
}

/** Longest long poll of the spot events queue per tick, seconds (a Lambda second is billed; SQS allows 20). */
export const EVENT_POLL_MAX_SEC = 5;
/** Seconds of an invocation kept for the tick's own work (forecast, plan, act, save) before any long poll. */
export const TICK_WORK_RESERVE_SEC = 30;

/** Seconds an invocation with `remainingMs` left can spare for long polling (0..EVENT_POLL_MAX_SEC). */
export function spareForPollingSec(remainingMs: number): number {
  return Math.max(0, Math.min(EVENT_POLL_MAX_SEC, remainingMs / 1000 - TICK_WORK_RESERVE_SEC));
}

/** Builds a handler; the runner (and the tick's warm state) lives as long as the handler. */
export function createControllerHandler(deps: ControllerHandlerDeps): (event: ControllerEvent, context?: LambdaContextLike) => Promise<TickSummary | SmokeTestResult> {
  const logger = deps.logger ?? new Logger({ serviceName: 'prescale-controller' });
  const metrics = deps.metrics ?? new Metrics({ namespace: 'Prescale', serviceName: 'prescale-controller' });
  const sink = powertoolsSink(metrics);
  let runner: ControllerRunner | undefined;
  /** Built once per container: the provider's unavailable-offerings cache and back-off survive warm invocations. */
  let ports: ControllerPorts | undefined;
  /** Parsed before the idempotency layer, so a bad configuration fails without recording anything. */
  let config: DeploymentConfig;
  /** The current invocation's context (its remaining time bounds the long poll). */
  let current: LambdaContextLike | undefined;
  const pollBudgetSec = (): number => (current ? spareForPollingSec(current.getRemainingTimeInMillis()) : 2);

  async function tick(event: ControllerEvent): Promise<TickSummary | SmokeTestResult> {
    ports ??= deps.buildPorts(config, pollBudgetSec);
    if (event.smokeTest || !event.scheduledTime) return runSmokeTest(config, ports);
    const scheduledSec = Date.parse(event.scheduledTime) / 1000;
    if (!Number.isFinite(scheduledSec)) throw new Error(`scheduledTime ${JSON.stringify(event.scheduledTime)} is not an ISO date`);
    runner ??= createControllerRunner({
      config: config.controller, ...ports, sink, logger: portLogger(logger), forecaster: createForecaster(config.aws.forecaster),
      tickOptions: { historySec: config.aws.historySec, forecastPeriodSec: config.aws.forecastPeriodSec, refitEverySec: config.aws.refitEverySec, taskBacklogSignals: backlogSignalsOf(config), ...(ports.preparer ? { prefetch: prefetchSelectionFrom(config.controller.prefetch) } : {}), ...warmPoolOptionsOf(config), ...burstOptionsOf(config) },
    });
    const summary = await runner.runTick(scheduledSec);
    logger.info('tick', { ...summary });
    return summary;
  }

  const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'scheduledTime', expiresAfterSeconds: 3600 });
  const idempotentTick = makeIdempotent(tick, { persistenceStore: deps.persistenceStore, config: idempotencyConfig });

  return async (event, context) => {
    current = context;
    if (context) {
      logger.addContext(context as never);
      idempotencyConfig.registerLambdaContext(context as never);
    }
    try {
      config = deps.loadConfig();
      return event.scheduledTime && !event.smokeTest ? await idempotentTick(event) : await tick(event);
    } catch (err) {
      logger.error('tick failed', { error: err instanceof Error ? { name: err.name, message: err.message } : String(err) });
      metrics.addMetric('TickErrors', MetricUnit.Count, 1);
      throw err;
    } finally {
      metrics.publishStoredMetrics();
      sink.flush();
    }
  };
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set (the CDK stack sets it)`);
  return v;
}

const defaultLogger = new Logger({ serviceName: 'prescale-controller' });

/** The Lambda entry point (`cdk/lib/controller-function.ts` points NodejsFunction here). */
export const handler = createControllerHandler({
  logger: defaultLogger,
  loadConfig: () => withPoolBacklog(loadDeploymentConfig(process.env, (p) => readFileSync(p, 'utf8')), process.env).config,
  buildPorts: (config, pollBudgetSec) => buildAwsPorts(config, {
    region: env('AWS_REGION'), stateTable: env('PRESCALE_STATE_TABLE'), queueUrl: env('PRESCALE_EVENTS_QUEUE_URL'), logger: portLogger(defaultLogger), pollBudgetSec,
  }),
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: process.env.PRESCALE_IDEMPOTENCY_TABLE ?? 'prescale-idempotency', awsSdkV3Client: new DynamoDBClient({}) }),
});

/** The burst tier's settings of the controller config (`burst`) as tick options; absent: the tick's defaults. */
function burstOptionsOf(config: DeploymentConfig): { burstWaitBudgetSec?: number; burstWaitValueUsdPerHour?: number } {
  const b = config.controller.burst;
  return b ? { burstWaitBudgetSec: b.waitBudgetSec, burstWaitValueUsdPerHour: b.waitValueUsdPerHour } : {};
}

/** Warm-pool planning for the Auto Scaling groups with `planWarmPool` (none: no warm-pool commands). */
function warmPoolOptionsOf(config: DeploymentConfig): { warmPools?: { poolIds: string[] } } {
  const poolIds = Object.entries(config.aws.autoScalingGroups).filter(([, g]) => g.planWarmPool).map(([id]) => id).sort();
  return poolIds.length > 0 ? { warmPools: { poolIds } } : {};
}
