/**
 * The task runner Lambda of the burst tier (src/handlers/task-runner.ts): bundled locally with esbuild
 * like prescale's other functions, the chain service configuration copied next to the bundle (its
 * catalog is the only code it runs), its own role (its logs, the execution-events log of the state
 * table). Step Functions invokes it synchronously from the compiled machines' `lambda:invoke` tasks;
 * the controller invokes it asynchronously with `prepare` messages. With the prefetch cache it runs in
 * the cache's VPC and reads the cache's AUTH token from Secrets Manager at start.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EXECUTION_LOG } from '../../src/handlers/aws-ports.js';
import { esmBundling, prescaleFunctionBase } from './controller-function.js';
import type { PrefetchCache } from './prefetch-cache.js';

/** Props of {@link TaskRunnerFunction}. */
export interface TaskRunnerFunctionProps {
  /** Absolute path of the chain service configuration, bundled as prescale.chains.json. */
  readonly chainsConfigFile: string;
  readonly stateTable: dynamodb.ITable;
  /** Skip fingerprinting the repository when bundling is skipped. */
  readonly bundlingRequired: boolean;
  /** Directory copied into the bundle (the task root): the Lambda pools' task code. @default none */
  readonly taskCodeDir?: string;
  /** Longest step, seconds (the compiler caps Lambda steps at 900). @default 900 */
  readonly timeoutSec?: number;
  /**
   * The prefetch cache: the function runs in its VPC with its function security group, resumes
   * prepared states from it and runs `prepare` messages of Lambda-pool steps. @default none (steps run cold)
   */
  readonly cache?: PrefetchCache;
}

/** See module documentation. */
export class TaskRunnerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TaskRunnerFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'prescale task runner (burst tier)' });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'AppendExecutionEvents',
      actions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      resources: [props.stateTable.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`c#${EXECUTION_LOG}`, `l#${EXECUTION_LOG}`] } },
    }));
    const cache = props.cache;
    if (cache) {
      cache.authToken.grantRead(this.role);
      // Lambda's network interfaces in the cache VPC (what AWSLambdaVPCAccessExecutionRole grants, inline)
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    this.fn = new NodejsFunction(this, 'Function', {
      ...(cache ? { vpc: cache.vpc, vpcSubnets: cache.workerSubnets, securityGroups: [cache.functionSecurityGroup] } : {}),
      ...prescaleFunctionBase('src/handlers/task-runner.ts'),
      description: 'prescale task runner: registered steps of the Lambda burst tier',
      timeout: Duration.seconds(Math.min(900, props.timeoutSec ?? 900)),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        PRESCALE_STATE_TABLE: props.stateTable.tableName,
        PRESCALE_CHAINS_CONFIG_FILE: 'prescale.chains.json',
        NODE_OPTIONS: '--enable-source-maps',
        ...(cache ? { PRESCALE_REDIS_URL: cache.clientUrl, PRESCALE_REDIS_CLUSTER: 'true', PRESCALE_REDIS_AUTH_SECRET_ARN: cache.authToken.secretArn } : {}),
      },
      bundling: esmBundling((out) => [
        ...(props.taskCodeDir ? [`cp -R "${props.taskCodeDir}/." "${out}/"`] : []),
        `cp "${props.chainsConfigFile}" "${out}/prescale.chains.json"`,
      ]),
      ...(props.bundlingRequired ? {} : { assetHash: 'bundling-skipped-task-runner' }),
    });
  }
}
