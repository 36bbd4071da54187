/**
 * Validation of state machine definitions with `asl-validator` (npm; JSON Schema of the Amazon States
 * Language plus transition, terminal-state and path checks). Engines validate before they deploy.
 */
import { createRequire } from 'node:module';

/** One validation error. */
export interface AslValidationError {
  readonly message: string;
  readonly path?: string;
}

type Validator = (definition: unknown, opts?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errors: Array<{ message?: string; path?: string; 'Error code'?: string }> };

let loaded: Validator | undefined;
/** Loaded on first use (the worker bundle, cdk/lib/worker-bundle.ts, never validates and does not carry it). */
const validator: Validator = (definition, opts) => (loaded ??= createRequire(import.meta.url)('asl-validator') as Validator)(definition, opts);

/** Errors of `definition` (empty when valid). The definition is not modified (the validator gets a copy). */
export function aslErrors(definition: unknown): AslValidationError[] {
  const { isValid, errors } = validator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return isValid ? [] : errors.map((e) => ({ message: e.message ?? e['Error code'] ?? 'invalid', ...(e.path ? { path: e.path } : {}) }));
}

/** A definition asl-validator rejects. */
export class InvalidStateMachineError extends Error {
  override readonly name = 'InvalidStateMachineError';
  constructor(readonly machineName: string, readonly errors: readonly AslValidationError[]) {
    super(`state machine ${machineName} is not valid ASL: ${errors.slice(0, 5).map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ')}`);
  }
}

/** @throws InvalidStateMachineError when asl-validator rejects `definition` */
export function assertValidAsl(machineName: string, definition: unknown): void {
  const errors = aslErrors(definition);
  if (errors.length > 0) throw new InvalidStateMachineError(machineName, errors);
}
