/**
 * Names of Step Functions executions and state machines. AWS rules (Step Functions API reference,
 * StartExecution `name` / CreateStateMachine `name`): 1–80 characters, no whitespace, brackets, wildcards,
 * `" # % \ ^ | ~ \` $ & , ; : /` or control characters. We use only `[A-Za-z0-9_-]`, the subset that
 * CloudWatch Logs also accepts, so a name is valid everywhere.
 */
import { sha256Hex as sha256 } from './sha256.js';

/** Longest execution or state machine name Step Functions accepts. */
export const MAX_SFN_NAME_LENGTH = 80;

const SAFE = /[^A-Za-z0-9_-]/g;

function sha256Hex(parts: readonly string[]): string {
  return sha256(parts.map((p) => `${p.length}:${p}`).join(''));
}

/** `text` reduced to `[A-Za-z0-9_-]` (other characters become `-`), at most `max` characters. */
export function safeNamePart(text: string, max: number): string {
  return text.replace(SAFE, '-').slice(0, max);
}

/**
 * The execution name of a chain trigger: `<chain id, sanitised, ≤ 36>-<32 hex of SHA-256(chainId, idempotencyKey)>`,
 * plus `-s<n>` for the n-th restart after a hard variant switch (n ≥ 1). The same chain id and
 * Idempotency-Key always give the same name, so a redelivered trigger maps to the same execution
 * (StartExecution with an existing name and the same input returns that execution; Standard workflows).
 * At most 36 + 1 + 32 + 4 = 73 characters for `restart` < 1000.
 * @throws RangeError when `chainId` or `idempotencyKey` is empty or `restart` is not a non-negative integer below 1000
 */
export function executionName(chainId: string, idempotencyKey: string, restart = 0): string {
  if (chainId.length === 0) throw new RangeError('executionName: chainId must not be empty');
  if (idempotencyKey.length === 0) throw new RangeError('executionName: idempotencyKey must not be empty');
  if (!Number.isInteger(restart) || restart < 0 || restart >= 1000) throw new RangeError(`executionName: restart must be an integer in [0, 999], got ${restart}`);
  const base = `${safeNamePart(chainId, 36)}-${sha256Hex([chainId, idempotencyKey]).slice(0, 32)}`;
  return restart === 0 ? base : `${base}-s${restart}`;
}

/** The execution name of the `restart`-th follow-up of `name` (strips an earlier `-s<n>` suffix). */
export function restartName(name: string, restart: number): string {
  const base = name.replace(/-s\d{1,3}$/, '');
  return `${base}-s${restart}`;
}

/**
 * The state machine name of a compiled variant: `prescale-<workflow ≤ 24>-<variant ≤ 16>-<16 hex of SHA-256 of the definition>`,
 * so a changed variant gets a new machine and running executions keep their definition (≤ 80 characters).
 */
export function stateMachineName(workflow: string, variant: string, definitionJson: string): string {
  return `prescale-${safeNamePart(workflow, 24)}-${safeNamePart(variant, 16)}-${sha256Hex([definitionJson]).slice(0, 16)}`;
}

/** True when `name` is a valid Step Functions execution/state machine name of the conservative form above. */
export function isValidSfnName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_SFN_NAME_LENGTH && /^[A-Za-z0-9_-]+$/.test(name);
}
