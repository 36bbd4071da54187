/**
 * Reads the backtest's `--arrivals FILE`: when chains were submitted.
 *
 * Two CSV layouts, told apart by the header:
 * - `timestamp,workflow[,principal]`: one row per submitted chain, timestamps non-decreasing;
 * - `timestamp,value`: a count of chain submissions per period (read like a metric series, see
 *   metric-file.ts), for traces that only have counts.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../../core/model/errors.js';
import type { ChainArrival } from '../../core/signals/arrivals.js';
import { parseTimestampSec } from '../../core/signals/timestamps.js';
import { parseCsv } from './csv.js';
import { parseMetricCsv, type ReadSeries } from './metric-file.js';
import { timestampExpectation } from './metric-options.js';

/** What an arrivals file held. */
export type ArrivalsInput =
  | { readonly kind: 'chains'; readonly file: string; readonly arrivals: readonly ChainArrival[] }
  | ({ readonly kind: 'counts'; readonly file: string } & ReadSeries);

/** Options of {@link readArrivalsFile}. */
export interface ArrivalsReadOptions {
  /** When given, every `workflow` must be one of these (e.g. the workflows read with `--workflows`). */
  readonly knownWorkflows?: readonly string[];
  /** Grid step for the counts layout. @default the median raw step */
  readonly periodSec?: number;
}

const HEADER_EXPECTATION = 'the header timestamp,workflow[,principal] (one row per chain) or timestamp,value (counts per period)';

/**
 * Reads an arrivals CSV file.
 * @throws InputError naming file, line, field, value and expectation for: an empty file or one with
 *   no rows, an unknown header, a row with the wrong number of fields, a bad timestamp, a timestamp
 *   going backwards, an empty workflow or principal, a workflow not in `knownWorkflows`, and (counts
 *   layout) a non-numeric or negative count
 */
export async function readArrivalsFile(path: string, opts: ArrivalsReadOptions = {}): Promise<ArrivalsInput> {
  return parseArrivalsCsv(await readFile(path, 'utf8'), path, opts);
}

/** Parses arrivals CSV text; see {@link readArrivalsFile}. */
export function parseArrivalsCsv(text: string, file: string, opts: ArrivalsReadOptions = {}): ArrivalsInput {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) throw new InputError({ file }, 'an empty file', HEADER_EXPECTATION);
  const names = header.fields.map((f) => f.toLowerCase());
  if (names.join(',') === 'timestamp,value') {
    const read = parseMetricCsv(text, file, basename(file, extname(file)), opts.periodSec !== undefined ? { periodSec: opts.periodSec } : {});
    return { kind: 'counts', file, ...read };
  }
  const withPrincipal = names.join(',') === 'timestamp,workflow,principal';
  if (!withPrincipal && names.join(',') !== 'timestamp,workflow') {
    throw new InputError({ file, line: header.line, field: 'header' }, header.fields.join(','), HEADER_EXPECTATION);
  }
  const known = opts.knownWorkflows ? new Set(opts.knownWorkflows) : undefined;
  const arrivals: ChainArrival[] = [];
  let prevSec = Number.NEGATIVE_INFINITY;
  let prevText = '';
  for (const { line, fields } of rows.slice(1)) {
    if (fields.length !== names.length) {
      throw new InputError({ file, line }, fields.join(','), `${names.length} comma-separated fields (${names.join(',')}), found ${fields.length}`);
    }
    const atSec = parseTimestampSec(fields[0]!);
    if (atSec === undefined) throw new InputError({ file, line, field: 'timestamp' }, fields[0], timestampExpectation(fields[0]!));
    if (atSec < prevSec) {
      throw new InputError({ file, line, field: 'timestamp' }, fields[0], `a timestamp >= the previous row's ${prevText} (timestamps must not go backwards)`);
    }
    prevSec = atSec;
    prevText = fields[0]!;
    const workflow = fields[1]!;
    if (workflow === '') throw new InputError({ file, line, field: 'workflow' }, workflow, 'a workflow name');
    if (known && !known.has(workflow)) {
      throw new InputError({ file, line, field: 'workflow' }, workflow, `one of the workflows read: ${[...known].sort().join(', ')}`);
    }
    if (withPrincipal) {
      const principal = fields[2]!;
      if (principal === '') throw new InputError({ file, line, field: 'principal' }, principal, 'a principal name (or drop the column)');
      arrivals.push({ atSec, workflow, principal });
    } else arrivals.push({ atSec, workflow });
  }
  if (arrivals.length === 0) throw new InputError({ file }, 'no rows', 'at least one arrival row after the header');
  return { kind: 'chains', file, arrivals };
}
