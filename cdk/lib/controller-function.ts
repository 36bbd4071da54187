/**
 * The controller Lambda: a NodejsFunction bundled locally with esbuild (no Docker), the deployment
 * configuration copied next to the bundle, one tick per invocation (reserved concurrency 1 so two
 * ticks never overlap), its own role (no managed policies), the EventBridge Scheduler schedule and
 * the post-deploy smoke test (a CDK trigger: a failing smoke test fails the deployment).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';

/** The repository root (cdk/lib/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Function settings shared by prescale's Lambdas, so a runtime or architecture change happens once:
 * entry under the repository, handler `handler`, the lock file for bundling, Node.js 22 on arm64,
 * 1024 MB. Callers add description, timeout, role, environment and bundling.
 * @param entry the handler's path relative to the repository root, e.g. "src/handlers/controller.ts"
 */
export function prescaleFunctionBase(entry: string) {
  return {
    entry: resolve(REPO_ROOT, entry),
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 1024,
  } as const;
}

/** Bundling shared by prescale's functions: ESM, Node 20 target, local esbuild, SDK v3 bundled. */
export function esmBundling(afterBundling: (outputDir: string) => string[] = () => []): NonNullable<ConstructorParameters<typeof NodejsFunction>[2]>['bundling'] {
  return {
    format: OutputFormat.ESM,
    target: 'node20',
    minify: true,
    sourceMap: true,
    mainFields: ['module', 'main'],
    // ESM bundles of CommonJS dependencies need `require`, `__dirname` and `__filename` (esbuild issue #1921)
    banner: [
      "import { createRequire as __pCreateRequire } from 'module';",
      "import { fileURLToPath as __pFileURLToPath } from 'url';",
      "import { dirname as __pDirname } from 'path';",
      'const require = __pCreateRequire(import.meta.url);',
      'const __filename = __pFileURLToPath(import.meta.url);',
      'const __dirname = __pDirname(__filename);',
    ].join(' '),
    externalModules: [],
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => afterBundling(outputDir),
    },
  };
}

/** Props of {@link ControllerFunction}. */
export interface ControllerFunctionProps {
  /** Absolute path of the deployment configuration, copied into the bundle. */
  readonly configFile: string;
  /** `PRESCALE_MODE` override (forecast-only | dry-run | active). */
  readonly mode: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Minutes between ticks. */
  readonly scheduleRateMinutes: number;
  /** Statements beyond logging (EC2, ElastiCache, reads). */
  readonly statements: readonly iam.PolicyStatement[];
}

/** See module documentation. */
export class ControllerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly schedule: Schedule;
  readonly smokeTest: triggers.Trigger;

  constructor(scope: Construct, id: string, props: ControllerFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'prescale controller: one tick per minute',
    });
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:*`],
    }));
    for (const s of props.statements) this.role.addToPolicy(s);
    const tickBudgetSec = Math.max(30, Math.min(900, props.scheduleRateMinutes * 60 - 5));
    this.fn = new NodejsFunction(this, 'Function', {
      ...prescaleFunctionBase('src/handlers/controller.ts'),
      description: `prescale controller tick (${props.mode})`,
      timeout: Duration.seconds(tickBudgetSec),
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        PRESCALE_MODE: props.mode,
        PRESCALE_CONFIG_FILE: 'prescale.config.json',
        POWERTOOLS_SERVICE_NAME: 'prescale-controller',
        POWERTOOLS_METRICS_NAMESPACE: 'Prescale',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling((out) => [
        `cp "${props.configFile}" "${out}/prescale.config.json"`,
        // the ARIMA forecaster's WebAssembly, loaded from the bundle's directory (node_modules/arima/wasm)
        `cp "${resolve(REPO_ROOT, 'node_modules/arima/wasm/native.wasm')}" "${out}/native.wasm"`,
      ]),
      // When bundling is skipped (tests, `cdk list`), do not fingerprint the whole repository.
      ...(stack.bundlingRequired ? {} : { assetHash: 'bundling-skipped' }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `prescale tick every ${props.scheduleRateMinutes} minute(s)`,
      schedule: ScheduleExpression.rate(Duration.minutes(props.scheduleRateMinutes)),
      target: new LambdaInvoke(this.fn, {
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        // a late tick is superseded by the next one; never queue ticks up
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });
    this.smokeTest = new triggers.Trigger(this, 'SmokeTest', {
      handler: this.fn,
      invocationType: triggers.InvocationType.REQUEST_RESPONSE,
      timeout: Duration.seconds(tickBudgetSec + 10),
      executeOnHandlerChange: true,
    });
  }
}
