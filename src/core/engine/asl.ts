/**
 * The part of the Amazon States Language (https://states-language.net/spec.html, JSONPath flavour)
 * the compiler emits, as plain data.
 */

/** One Retry rule. */
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** One Catch rule. */
export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string;
}

/** A state: the fields every state type may have (the compiler fills those of its `Type`). */
export interface AslState {
  readonly Type: 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Choice' | 'Succeed' | 'Fail';
  readonly Comment?: string;
  readonly Next?: string;
  readonly End?: true;
  readonly Resource?: string;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly ResultSelector?: Readonly<Record<string, unknown>>;
  readonly ResultPath?: string;
  readonly OutputPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly TimeoutSeconds?: number;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
  readonly Branches?: readonly AslMachine[];
  /** Map: where the items are in the state's input. */
  readonly ItemsPath?: string;
  /** Map: each iteration's input, built from `$$.Map.Item.Value` and the state's input. */
  readonly ItemSelector?: Readonly<Record<string, unknown>>;
  /** Map: the states every item runs (`ProcessorConfig.Mode` INLINE or DISTRIBUTED). */
  readonly ItemProcessor?: AslMachine & { readonly ProcessorConfig?: { readonly Mode: 'INLINE' | 'DISTRIBUTED'; readonly ExecutionType?: 'STANDARD' | 'EXPRESS' } };
  /** Map: most iterations at once (0 or absent: as many as the runtime allows). */
  readonly MaxConcurrency?: number;
  readonly Choices?: readonly Readonly<Record<string, unknown>>[];
  readonly Default?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

/** A state machine (or a Parallel branch). */
export interface AslMachine {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}
