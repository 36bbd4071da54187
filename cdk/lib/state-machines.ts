/**
 * Step Functions Standard state machines, one per workflow variant of the chain service's catalog,
 * compiled at synth by the same compiler the engines use (`compileVariant`, src/core/engine) and checked
 * with asl-validator (a definition it rejects fails `cdk synth`, naming the machine). Pool targets are
 * placeholders the compiler sees as plain strings and CloudFormation fills in with
 * `DefinitionSubstitutions` (queue URLs, the task runner's ARN, the variant decision table), so a
 * machine's name (which carries the definition's hash) does not change from one synth to the next.
 *
 * The machines share one role: `sqs:SendMessage` to the pool queues they use, `lambda:InvokeFunction`
 * of the task runner, `dynamodb:GetItem` on the variant decision table (the switch points), plus the
 * log delivery and X-Ray permissions CDK adds for logging ALL events and tracing.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { assembleDag } from '../../src/core/compose/index.js';
import { compileVariant, deployBurstPlaceholder, deployTimeBurst, type CompiledMachine, type PoolTarget } from '../../src/core/engine/index.js';
import { InputError, poolOf, type TaskDefinition, type Workflow } from '../../src/core/model/index.js';
import { assertValidAsl } from '../../src/adapters/engine/asl-validation.js';

/** Props of {@link PrescaleStateMachines}. */
export interface PrescaleStateMachinesProps {
  /** The catalog: one machine per variant. */
  readonly workflows: readonly Workflow[];
  /** Work queue of every EC2 pool, by pool id. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  /** Pool ids run by the task runner (Lambda burst tier). */
  readonly lambdaPools: readonly string[];
  /** The task runner; required when a variant uses a Lambda pool. */
  readonly taskRunner?: lambda.IFunction;
  /** File the catalog came from, for error messages. */
  readonly catalogFile?: string;
  /**
   * The burst workers by memory size (cdk/lib/burst-workers.ts): routable steps of EC2 pools get the
   * burst route Choice (issue 19, item 5). @default none (no route Choice)
   */
  readonly burstWorkers?: ReadonlyMap<number, lambda.IFunction>;
}

/** One deployed variant. */
export interface DeployedVariant {
  readonly compiled: CompiledMachine;
  /** The variant's task definitions, by task id. */
  readonly tasks: Readonly<Record<string, TaskDefinition>>;
  readonly machine: sfn.StateMachine;
}

/** The placeholder of a pool's queue URL in a compiled definition. */
function queuePlaceholder(i: number): string {
  return `PoolQueueUrl${i}`;
}

/** See module documentation. */
export class PrescaleStateMachines extends Construct {
  readonly role: iam.Role;
  /** `{ pk }` items `{ variant }` read at every switch point (SfnWorkflowEngine.setVariantDecision writes them). */
  readonly decisionTable: dynamodb.Table;
  readonly logGroup: logs.LogGroup;
  readonly variants: readonly DeployedVariant[];
  /** True when the machines were compiled with the burst route Choice (`burstWorkers` given). */
  readonly burstRoutes: boolean;

  constructor(scope: Construct, id: string, props: PrescaleStateMachinesProps) {
    super(scope, id);
    this.decisionTable = new dynamodb.Table(this, 'VariantDecisions', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com'), description: 'prescale state machines: pool queues, task runner, variant decisions' });
    this.decisionTable.grant(this.role, 'dynamodb:GetItem');
    const poolIds = [...props.queues.keys()].sort();
    const lambdaPools = new Set(props.lambdaPools);
    const pools: Record<string, PoolTarget> = {};
    const substitutions: Record<string, string> = { VariantDecisionTable: this.decisionTable.tableName };
    poolIds.forEach((p, i) => { pools[p] = { kind: 'sqs', queueUrl: `\${${queuePlaceholder(i)}}` }; });
    for (const p of lambdaPools) pools[p] = { kind: 'lambda', functionArn: '${TaskRunnerArn}' };
    const usedQueues = new Set<string>();
    let usesLambda = false;
    const usedBurst = new Set<number>();
    const variants: DeployedVariant[] = [];
    const names = new Set<string>();
    props.workflows.forEach((wf, wi) => wf.variants.forEach((v, vi) => {
      const field = `workflows[${wi}].variants[${vi}]`;
      for (const t of v.tasks) {
        const p = poolOf(v, t.task_id);
        if (!pools[p]) throw new InputError({ file: props.catalogFile, field: `${field} (${wf.name}/${v.name}, task ${t.task_id})` }, p, `an EC2 pool of controller.pools (${poolIds.join(', ') || 'none'}) or a Lambda pool (prescale:lambdaPools: ${[...lambdaPools].join(', ') || 'none'})`);
        if (lambdaPools.has(p)) usesLambda = true; else usedQueues.add(p);
      }
      const compiled = compileVariant(assembleDag(wf.name, v), { pools, decisionTable: '${VariantDecisionTable}', ...(props.burstWorkers ? { burst: deployTimeBurst() } : {}) });
      for (const c of Object.values(compiled.steps)) if (c.burst) usedBurst.add(c.burst.memoryMiB);
      assertValidAsl(compiled.name, compiled.definition);
      if (names.has(compiled.name)) return; // the same definition twice is one machine
      names.add(compiled.name);
      const machine = new sfn.StateMachine(this, `Machine${variants.length}`, {
        stateMachineName: compiled.name,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromString(compiled.definitionJson),
        definitionSubstitutions: substitutions,
        role: this.role,
        logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
        comment: `prescale ${wf.name}/${v.name}`,
      });
      variants.push({ compiled, machine, tasks: Object.fromEntries(v.tasks.map((t) => [t.task_id, t])) });
    }));
    if (usesLambda) {
      if (!props.taskRunner) throw new InputError({ field: 'prescale:lambdaPools' }, [...lambdaPools].join(','), 'a task runner function for the Lambda pools the catalog uses');
      substitutions.TaskRunnerArn = props.taskRunner.functionArn;
      props.taskRunner.grantInvoke(this.role);
    }
    poolIds.forEach((p, i) => {
      const queue = props.queues.get(p)!;
      substitutions[queuePlaceholder(i)] = queue.queueUrl;
      if (usedQueues.has(p)) queue.grantSendMessages(this.role);
    });
    for (const mib of usedBurst) {
      const fn = props.burstWorkers?.get(mib);
      if (!fn) throw new InputError({ field: 'prescale:burst' }, mib, `a burst worker of ${mib} MB (cdk/lib/burst-workers.ts sizes one per routable step class)`);
      substitutions[deployBurstPlaceholder(mib)] = fn.functionArn;
      fn.grantInvoke(this.role);
    }
    this.variants = variants;
    this.burstRoutes = props.burstWorkers !== undefined;
  }
}
