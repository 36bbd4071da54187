/**
 * The moto setup the e2e tests share: a moto server (one per execution, see
 * test/adapters/engine/moto-server.ts) with the resources the CDK stack gives a pool (its queue
 * `prescale-pool-web`, the variant decision table `decisions`, the state table `state`), the SDK
 * clients on it, and the stack's state machine definitions with their DefinitionSubstitutions filled
 * in as CloudFormation would.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../src/adapters/aws/dynamodb-state-store.js';
import { startMoto, type Moto } from '../adapters/engine/moto-server.js';

/** Credentials moto accepts. */
export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
/** The account moto uses. */
export const MOTO_ACCOUNT = '123456789012';

/** A moto server with a pool's stack resources. */
export interface MotoStack {
  readonly moto: Moto;
  /** Client configuration for moto (endpoint, region, credentials). */
  readonly cfg: { readonly endpoint: string; readonly region: string; readonly credentials: typeof MOTO_CREDENTIALS };
  readonly sqs: SQSClient;
  readonly ddb: DynamoDBClient;
  /** URL of the pool queue `prescale-pool-web`. */
  readonly queueUrl: string;
  /** The state table `state` as a StateStore (events log, tick state). */
  readonly store: DynamoDbStateStore;
}

/** Starts moto and creates the pool queue, the decision table and the state table. Stop it with `moto.stop()`. */
export async function startMotoStack(): Promise<MotoStack> {
  const moto = await startMoto();
  const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS };
  const sqs = new SQSClient(cfg);
  const ddb = new DynamoDBClient(cfg);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'prescale-pool-web' }));
  await ddb.send(new CreateTableCommand({ TableName: 'decisions', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  await createStateTable(ddb, 'state');
  return { moto, cfg, sqs, ddb, queueUrl: QueueUrl!, store: new DynamoDbStateStore(dynamoDbApi(ddb), 'state') };
}

/** A synthesized definition with the stack's DefinitionSubstitutions filled in as CloudFormation does. */
export function substituteDefinition(definition: string, queueUrl: string): string {
  return definition.replaceAll('${PoolQueueUrl0}', queueUrl).replaceAll('${VariantDecisionTable}', 'decisions')
    .replaceAll('${TaskRunnerArn}', `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT}:function:prescale-task-runner`);
}
