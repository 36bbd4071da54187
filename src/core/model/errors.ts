/**
 * Errors raised for bad input anywhere in prescale.
 *
 * Every message names where the problem is (file, line, field), the offending value and what was
 * expected, on one line, so the CLI can print it as is and exit non-zero.
 */

/** Where a bad value was found. All parts optional; the more the better. */
export interface InputLocation {
  /** File path as the user gave it. */
  readonly file?: string;
  /** 1-based line number in `file`. */
  readonly line?: number;
  /** Field or column name, or a JSON path such as `workflow.tasks[3].parents`. */
  readonly field?: string;
}

/**
 * A user-facing input error: `file:line: field: got <value>, expected <expectation>`.
 * Thrown by readers, parsers and validators; never by internal invariants (those are plain `Error`s).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** Where the problem is. */
  readonly location: InputLocation;
  /** The offending value, rendered for the message (truncated to 80 characters). */
  readonly value: string;
  /** What was expected instead, in words. */
  readonly expected: string;

  /**
   * @param location where the bad value was found
   * @param value the bad value (any type; it is rendered with JSON.stringify when not a string)
   * @param expected what would have been accepted, e.g. "a finite number >= 0"
   */
  constructor(location: InputLocation, value: unknown, expected: string) {
    const rendered = renderValue(value);
    const where = [location.file, location.line !== undefined ? String(location.line) : undefined]
      .filter((p) => p !== undefined)
      .join(':');
    const prefix = [where, location.field].filter((p) => p && p.length > 0).join(': ');
    super(`${prefix ? `${prefix}: ` : ''}got ${rendered}, expected ${expected}`);
    this.location = location;
    this.value = rendered;
    this.expected = expected;
  }
}

function renderValue(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (value === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Converts a zod error into an {@link InputError} naming the first failing path.
 * @param issues zod's `error.issues` array (only `path`, `message` and `input` are read)
 * @param file the file the object came from, when known
 * @param root the parsed object, used to show the offending value
 */
export function inputErrorFromZod(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  root: unknown,
  file?: string,
): InputError {
  const first = issues[0];
  const path = first ? first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '';
  let value: unknown = root;
  for (const key of first?.path ?? []) {
    if (value !== null && typeof value === 'object') value = (value as Record<PropertyKey, unknown>)[key];
    else value = undefined;
  }
  return new InputError({ file, field: path || '(root)' }, value, first?.message ?? 'a valid value');
}
