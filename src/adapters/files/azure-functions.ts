/**
 * Reads the Azure Functions Trace 2019 invocation counts (Shahrad et al., "Serverless in the Wild",
 * USENIX ATC 2020; `Azure/AzurePublicDataset`, AzureFunctionsDataset2019.md; CC-BY 4.0) into
 * per-minute metric series: bursty, sparse demand for the backtest.
 *
 * Layout: `HashOwner,HashApp,HashFunction,Trigger,<minute columns>`, one row per function; each minute
 * column (consecutive integers, e.g. `1..1440` or `480..959`) holds the invocations in that minute.
 * Minute column `m` covers `[dayStartSec + (m - 1)·60, dayStartSec + m·60)`: minutes are numbered
 * from 1 within the trace day.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../../core/model/errors.js';
import { regularise } from '../../core/signals/regularise.js';
import { parseCsv, type CsvRow } from './csv.js';
import type { ReadSeries } from './metric-file.js';

/** Options of {@link readAzureFunctionsInvocations}. */
export interface AzureFunctionsReadOptions {
  /**
   * Epoch seconds of the trace day's 00:00 (the trace carries no dates). @default 0
   */
  readonly dayStartSec?: number;
  /**
   * `total`: one series summing all functions; `trigger`: one per trigger (`http`, `timer`, ...);
   * `function`: one per function. @default "total"
   */
  readonly groupBy?: 'total' | 'trigger' | 'function';
}

const FIXED = ['hashowner', 'hashapp', 'hashfunction', 'trigger'];
const PERIOD_SEC = 60;

/**
 * Reads an Azure Functions 2019 `*_invocations.csv` file.
 * @returns series with `periodSec` 60 and `unit` "Count", ids `<base>` (total), `<base>:<trigger>`
 *   or `<base>:<HashFunction>` (function), groups in sorted order
 * @throws InputError naming file, line and column for an unexpected header, non-consecutive minute
 *   columns, a row with the wrong number of fields, an empty trigger or a count that is not a
 *   non-negative integer, or a file with no function rows
 */
export async function readAzureFunctionsInvocations(path: string, opts: AzureFunctionsReadOptions = {}): Promise<ReadSeries[]> {
  const text = await readFile(path, 'utf8');
  const rows = parseCsv(text, path);
  const header = rows[0];
  if (!header) throw new InputError({ file: path }, 'an empty file', 'the header HashOwner,HashApp,HashFunction,Trigger,<minutes>');
  const firstMinute = checkHeader(header, path);
  const minutes = header.fields.length - FIXED.length;
  const groupBy = opts.groupBy ?? 'total';
  const sums = new Map<string, Float64Array>();
  for (const row of rows.slice(1)) {
    const { line, fields } = row;
    if (fields.length !== header.fields.length) {
      throw new InputError({ file: path, line }, `${fields.length} fields`, `${header.fields.length} fields, as in the header`);
    }
    if (fields[3] === '') throw new InputError({ file: path, line, field: 'Trigger' }, '', 'a trigger name (http, timer, queue, ...)');
    const key = groupBy === 'total' ? '' : groupBy === 'trigger' ? fields[3]! : fields[2]!;
    let acc = sums.get(key);
    if (!acc) sums.set(key, (acc = new Float64Array(minutes)));
    for (let j = 0; j < minutes; j++) {
      const text = fields[FIXED.length + j]!;
      if (!/^\d+$/.test(text)) {
        throw new InputError({ file: path, line, field: `minute ${firstMinute + j}` }, text, 'a count of invocations (an integer >= 0)');
      }
      acc[j]! += Number(text);
    }
  }
  if (sums.size === 0) throw new InputError({ file: path }, 'no function rows', 'at least one function row after the header (empty series)');
  const base = basename(path, extname(path));
  const startSec = (opts.dayStartSec ?? 0) + (firstMinute - 1) * PERIOD_SEC;
  return [...sums.keys()].sort().map((key) => {
    const values = sums.get(key)!;
    const points = Array.from(values, (value, j) => ({ tSec: startSec + j * PERIOD_SEC, value }));
    return regularise(points, { id: key === '' ? base : `${base}:${key}`, file: path, periodSec: PERIOD_SEC, unit: 'Count' });
  });
}

/** Checks the fixed columns and that minute columns are consecutive integers. @returns the first minute */
function checkHeader(header: CsvRow, file: string): number {
  const f = header.fields;
  const fixed = f.slice(0, FIXED.length).map((x) => x.toLowerCase());
  if (fixed.join(',') !== FIXED.join(',') || f.length <= FIXED.length) {
    throw new InputError({ file, line: header.line, field: 'header' }, f.slice(0, 6).join(','), 'HashOwner,HashApp,HashFunction,Trigger followed by minute columns');
  }
  const first = Number(f[FIXED.length]);
  for (let j = FIXED.length; j < f.length; j++) {
    const expected = first + (j - FIXED.length);
    if (!/^\d+$/.test(f[j]!) || Number(f[j]) !== expected || expected < 1) {
      throw new InputError({ file, line: header.line, field: `column ${j + 1}` }, f[j], `minute number ${expected < 1 ? '>= 1' : expected} (consecutive minutes)`);
    }
  }
  return first;
}
