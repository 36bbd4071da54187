/**
 * Reads execution events (core/model/events.ts `ExecutionEvent`) from files: a JSON array, or JSON
 * lines (one event per line, as the workers' event log exports them), validated with the event schema.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ExecutionEvent } from '../../core/model/events.js';
import { InputError } from '../../core/model/errors.js';
import { parseExecutionEvents } from '../../core/predict/event-schema.js';

/** Largest file read, bytes (256 MiB): an operator's export, not an unbounded stream. */
export const MAX_EVENTS_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads one events file.
 * @throws InputError naming the file (and line) when it is too large, not JSON, or an event is invalid
 */
export function readExecutionEventsFile(file: string, flag = '--events'): ExecutionEvent[] {
  const size = statSync(file).size;
  if (size > MAX_EVENTS_FILE_BYTES) throw new InputError({ field: flag, file }, size, `an events file of at most ${MAX_EVENTS_FILE_BYTES} bytes`);
  const text = readFileSync(file, 'utf8');
  const trimmed = text.trimStart();
  let raw: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      raw = JSON.parse(trimmed) as unknown[];
    } catch (e) {
      throw new InputError({ field: flag, file }, (e as Error).message, 'a JSON array of execution events');
    }
  } else {
    raw = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        raw.push(JSON.parse(line));
      } catch {
        throw new InputError({ field: flag, file, line: i + 1 }, line.slice(0, 80), 'one JSON execution event per line');
      }
    });
  }
  return parseExecutionEvents(raw, file);
}
