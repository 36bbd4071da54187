/**
 * Error names the workers report with SendTaskFailure and the compiled machines match in Retry/Catch.
 * `States.*` names are Step Functions' own (Amazon States Language, "Errors").
 */
export const STEP_ERRORS = {
  /** The step's code failed (thrown error, non-zero exit): retried by the task's retry policy. */
  taskFailed: 'Prescale.TaskFailed',
  /** The instance got a spot interruption notice while the step ran: retried elsewhere. */
  spotInterruption: 'Prescale.SpotInterruption',
  /** The worker was stopped (SIGTERM, scale-in) while the step ran: retried elsewhere. */
  workerStopped: 'Prescale.WorkerStopped',
  /** Input or output does not match the task's JSON Schema: never retried (same input, same result). */
  schemaViolation: 'Prescale.SchemaViolation',
  /** The worker cannot run this step (unregistered task, malformed message): never retried. */
  notRunnable: 'Prescale.NotRunnable',
  /** The output is over the engine's payload limit (256 KiB): never retried. */
  outputTooLarge: 'Prescale.OutputTooLarge',
  /** Ends an execution at a switch point: the variant decision names another variant. */
  variantSwitched: 'Prescale.VariantSwitched',
  /** Ends an execution after a step failed on its last attempt (Cause names the step). */
  stepFailed: 'Prescale.StepFailed',
  /** Step Functions: no heartbeat within HeartbeatSeconds (the worker died). */
  heartbeatTimeout: 'States.HeartbeatTimeout',
  /** Step Functions: the task ran longer than TimeoutSeconds. */
  timeout: 'States.Timeout',
} as const;

/** Errors no retry can fix: the machines give them `MaxAttempts: 0`. */
export const NON_RETRYABLE_ERRORS: readonly string[] = [STEP_ERRORS.schemaViolation, STEP_ERRORS.notRunnable, STEP_ERRORS.outputTooLarge];

/** Errors of the capacity, not of the step: retried at least twice whatever the task's policy. */
export const CAPACITY_ERRORS: readonly string[] = [STEP_ERRORS.spotInterruption, STEP_ERRORS.workerStopped, STEP_ERRORS.heartbeatTimeout];

/** Step Functions' limit on a task's output and on SendTaskSuccess `output`, bytes (Step Functions quotas: 256 KiB). */
export const MAX_PAYLOAD_BYTES = 262_144;

/** Step Functions' limit on a state machine definition, bytes (Step Functions quotas: 1,048,576). */
export const MAX_DEFINITION_BYTES = 1_048_576;
