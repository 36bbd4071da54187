/**
 * The controller's {@link SqsPreparer} from the deployment's environment (composition root): the
 * CDK stack sets `PRESCALE_POOL_QUEUE_URLS` (`{ "<pool>": "<queue URL>" }`), `PRESCALE_STATE_MACHINES`
 * (`{ "<workflow>/<variant>": "<state machine ARN>" }`) and, with Lambda pools,
 * `PRESCALE_LAMBDA_POOLS` (`{ "<pool>": "<task runner ARN>" }`). Without state machines there is
 * nothing to prepare on and no preparer is built (pre-execute commands then go nowhere).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ExecutionIndex, SqsPreparer, type PrepareTransports } from '../adapters/aws/sqs-preparer.js';
import { InputError, type TaskDefinition, type Workflow } from '../core/model/index.js';
import type { Clock } from '../ports/clock.js';

const StringMap = z.record(z.string().min(1), z.string().min(1).max(2048));

function jsonMap(env: NodeJS.ProcessEnv, name: string): Record<string, string> {
  const raw = env[name];
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InputError({ field: name }, raw.slice(0, 80), 'a JSON object of strings');
  }
  const parsed = StringMap.safeParse(json);
  if (!parsed.success) throw new InputError({ field: `${name}.${parsed.error.issues[0]?.path.join('.') ?? ''}` }, raw.slice(0, 80), 'a JSON object of strings');
  return parsed.data;
}

/** SQS SendMessage and Lambda asynchronous Invoke. */
export function awsPrepareTransports(region: string): PrepareTransports {
  const sqs = new SQSClient({ region });
  const lambda = new LambdaClient({ region });
  return {
    async sendMessage(queueUrl, body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
    async invokeAsync(functionArn, payload) {
      await lambda.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }));
    },
  };
}

/** The task definition of `workflow/variant/taskId` in `workflows`. */
export function catalogTask(workflows: readonly Workflow[]): (workflow: string, variant: string, taskId: string) => TaskDefinition | undefined {
  const byKey = new Map<string, TaskDefinition>();
  for (const w of workflows) for (const v of w.variants) for (const t of v.tasks) byKey.set(`${w.name}\u0000${v.name}\u0000${t.task_id}`, t);
  return (w, v, t) => byKey.get(`${w}\u0000${v}\u0000${t}`);
}

/**
 * The preparer and the execution index it reads (feed the index every execution-events batch the tick
 * reads), or undefined when `PRESCALE_STATE_MACHINES` is empty.
 * @throws InputError on a malformed variable
 */
export function preparerFromEnv(env: NodeJS.ProcessEnv, opts: { transports: PrepareTransports; workflows: readonly Workflow[]; clock: Clock; ttlSec?: number }): { preparer: SqsPreparer; index: ExecutionIndex } | undefined {
  const machineArns = jsonMap(env, 'PRESCALE_STATE_MACHINES');
  if (Object.keys(machineArns).length === 0) return undefined;
  const index = new ExecutionIndex();
  const preparer = new SqsPreparer({
    transports: opts.transports, queueUrls: jsonMap(env, 'PRESCALE_POOL_QUEUE_URLS'), lambdaPools: jsonMap(env, 'PRESCALE_LAMBDA_POOLS'), machineArns,
    executions: index, task: catalogTask(opts.workflows), clock: opts.clock, ...(opts.ttlSec !== undefined ? { defaultTtlSec: opts.ttlSec } : {}),
  });
  return { preparer, index };
}
