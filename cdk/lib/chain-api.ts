/**
 * The Chain Management API behind API Gateway (REST) with IAM authorisation on every method: a
 * proxy resource to a NodejsFunction (src/handlers/chain-api.ts) that replays requests into the
 * fastify app. Access logs go to CloudWatch Logs; the function has its own role (logs + state table).
 */
import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { esmBundling, prescaleFunctionBase } from './controller-function.js';

/** Props of {@link ChainApi}. */
export interface ChainApiProps {
  /** Absolute path of the chain service configuration (ChainServiceConfigSchema), bundled. */
  readonly chainsConfigFile: string;
  readonly stateTable: dynamodb.ITable;
  /** IAM ARN → bearer token of the service's `tokens` table. @default none (every caller gets 401) */
  readonly iamPrincipals?: Readonly<Record<string, string>>;
  /** Skip fingerprinting the repository when bundling is skipped. */
  readonly bundlingRequired: boolean;
}

/** See module documentation. */
export class ChainApi extends Construct {
  readonly fn: NodejsFunction;
  readonly api: apigw.LambdaRestApi;

  constructor(scope: Construct, id: string, props: ChainApiProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'FunctionLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'prescale chain API' });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }));
    props.stateTable.grantReadWriteData(role);
    this.fn = new NodejsFunction(this, 'Function', {
      ...prescaleFunctionBase('src/handlers/chain-api.ts'),
      description: 'prescale Chain Management API',
      timeout: Duration.seconds(29),
      role,
      logGroup,
      environment: {
        PRESCALE_STATE_TABLE: props.stateTable.tableName,
        PRESCALE_CHAINS_CONFIG_FILE: 'prescale.chains.json',
        PRESCALE_IAM_PRINCIPALS: JSON.stringify(props.iamPrincipals ?? {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling((out) => [`cp "${props.chainsConfigFile}" "${out}/prescale.chains.json"`]),
      ...(props.bundlingRequired ? {} : { assetHash: 'bundling-skipped-chain-api' }),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigw.LambdaRestApi(this, 'Api', {
      handler: this.fn,
      proxy: true,
      description: 'prescale Chain Management API (IAM auth)',
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    NagSuppressions.addResourceSuppressions(this.api, [
      { id: 'AwsSolutions-APIG2', reason: 'Request bodies, parameters and headers are validated by the fastify app with JSON Schema (src/adapters/http/chain-api.ts); a second API Gateway model would drift from it.' },
      { id: 'AwsSolutions-APIG3', reason: 'The API is private to IAM principals of this account (SigV4 on every method); attach a WAF web ACL when exposing it more widely.' },
      { id: 'AwsSolutions-COG4', reason: 'Every method uses IAM authorisation (AWS_IAM) instead of a Cognito user pool.' },
      { id: 'AwsSolutions-IAM4', reason: 'API Gateway\'s account-level CloudWatch role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, as API Gateway documents.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'] },
    ], true);
    NagSuppressions.addResourceSuppressions(role, [
      { id: 'AwsSolutions-IAM5', reason: 'Wildcards come from CDK grants scoped to this stack\'s state table indexes and the function\'s own log group streams.' },
    ], true);
    NagSuppressions.addResourceSuppressions(this.fn, [
      { id: 'AwsSolutions-L1', reason: 'Pinned to nodejs22.x: prescale supports Node >= 20 and its test matrix covers 20 and 22.' },
    ]);
  }
}
