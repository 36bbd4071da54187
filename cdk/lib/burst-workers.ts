/**
 * The burst workers (issue 19, item 5; src/handlers/burst-worker.ts): one Lambda function per memory
 * size of the catalog's step classes that fit Lambda (core/plan/burst-route.ts `stepClassesOf`, sized
 * by core/plan/burst.ts `lambdaMemoryMiB`: 1,769 MB per vCPU or the step's memory, 128..10,240 MB),
 * `nodejs22.x` bundled with esbuild like the task runner, the chain configuration (its catalog is the
 * only code it runs) next to the bundle, timeout 900 s (Lambda's maximum), reserved concurrency
 * capped by `prescale:burstConcurrency`. Its role: its logs, the execution-events log and its
 * idempotency records (`t#burst-steps`) in the state table.
 * Limits: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (900 s timeout,
 * 128..10,240 MB memory, 1,000 concurrent executions per Region by default).
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { burstMemoryMiBOf } from '../../src/core/engine/index.js';
import { poolOf, type Workflow } from '../../src/core/model/index.js';
import { EXECUTION_LOG } from '../../src/handlers/aws-ports.js';
import { BURST_RESULTS_TABLE } from '../../src/app/worker/burst-step.js';
import { esmBundling, prescaleFunctionBase } from './controller-function.js';

/** Props of {@link BurstWorkers}. */
export interface BurstWorkersProps {
  readonly workflows: readonly Workflow[];
  /** EC2 pools (those with a work queue): only their steps are routable. */
  readonly ec2PoolIds: readonly string[];
  /** Absolute path of the chain service configuration, bundled as prescale.chains.json. */
  readonly chainsConfigFile: string;
  readonly stateTable: dynamodb.ITable;
  readonly bundlingRequired: boolean;
  /** Reserved concurrent executions of each worker (`prescale:burstConcurrency`). */
  readonly reservedConcurrency: number;
  /** Directory copied into the bundle (the task root). @default none */
  readonly taskCodeDir?: string;
}

/** The memory sizes (MiB) the catalog's routable steps need, ascending. */
export function burstMemorySizes(workflows: readonly Workflow[], ec2PoolIds: readonly string[]): number[] {
  const pools = new Set(ec2PoolIds);
  const sizes = new Set<number>();
  for (const w of workflows) for (const v of w.variants) for (const t of v.tasks) {
    if (!pools.has(poolOf(v, t.task_id))) continue;
    const mib = burstMemoryMiBOf(t);
    if (mib !== undefined) sizes.add(mib);
  }
  return [...sizes].sort((a, b) => a - b);
}

/** See module documentation. */
export class BurstWorkers extends Construct {
  readonly role: iam.Role;
  /** The worker of each memory size, MiB → function. */
  readonly functions: ReadonlyMap<number, NodejsFunction>;

  constructor(scope: Construct, id: string, props: BurstWorkersProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'prescale burst workers (Lambda burst tier of EC2 pools)' });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'AppendExecutionEventsAndResults',
      actions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:GetItem'],
      resources: [props.stateTable.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`c#${EXECUTION_LOG}`, `l#${EXECUTION_LOG}`, `t#${BURST_RESULTS_TABLE}`] } },
    }));
    const fns = new Map<number, NodejsFunction>();
    for (const mib of burstMemorySizes(props.workflows, props.ec2PoolIds)) {
      fns.set(mib, new NodejsFunction(this, `Worker${mib}`, {
        ...prescaleFunctionBase('src/handlers/burst-worker.ts'),
        description: `prescale burst worker (${mib} MB): registered steps of EC2 pools routed to Lambda`,
        memorySize: mib,
        timeout: Duration.seconds(900),
        reservedConcurrentExecutions: props.reservedConcurrency,
        role: this.role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        environment: { PRESCALE_STATE_TABLE: props.stateTable.tableName, PRESCALE_CHAINS_CONFIG_FILE: 'prescale.chains.json', NODE_OPTIONS: '--enable-source-maps' },
        bundling: esmBundling((out) => [
          ...(props.taskCodeDir ? [`cp -R "${props.taskCodeDir}/." "${out}/"`] : []),
          `cp "${props.chainsConfigFile}" "${out}/prescale.chains.json"`,
        ]),
        ...(props.bundlingRequired ? {} : { assetHash: `bundling-skipped-burst-worker-${mib}` }),
      }));
    }
    this.functions = fns;
  }
}
