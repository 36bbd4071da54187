/**
 * Reads metric series from files: a `timestamp,value` CSV (NAB layout) or the JSON printed by
 * `aws cloudwatch get-metric-data` / `get-metric-statistics`, and regularises them
 * (src/core/signals/regularise.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../../core/model/errors.js';
import { regularise, type RawPoint } from '../../core/signals/regularise.js';
import { parseTimestampSec } from '../../core/signals/timestamps.js';
import { parseCloudWatchJson, type CloudWatchJsonOptions } from './cloudwatch-json.js';
import { parseCsv, parseNumberField } from './csv.js';
import { negativeExpectation, pickGrid, timestampExpectation, type MetricReadOptions, type ReadSeries } from './metric-options.js';

export { parseCloudWatchJson, type CloudWatchJsonOptions, type Statistic } from './cloudwatch-json.js';
export { TIMESTAMP_EXPECTATION, type MetricReadOptions, type ReadSeries } from './metric-options.js';

/**
 * Reads one metric file. JSON (first non-blank character `{`) is read as the output of
 * `aws cloudwatch get-metric-data` or `get-metric-statistics` (see cloudwatch-json.ts), anything
 * else as CSV.
 * @param path file path
 * @returns one entry for a CSV or `get-metric-statistics` JSON (id = base name without extension),
 *   one per `MetricDataResults[]` entry for `get-metric-data` JSON (id = `<base>:<Id>`), in file order
 * @throws InputError naming file, line or JSON path, the value and the expectation for any bad row
 */
export async function readMetricSeriesFile(path: string, opts: CloudWatchJsonOptions = {}): Promise<ReadSeries[]> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const base = basename(path, extname(path));
  if (text.trimStart().startsWith('{')) return parseCloudWatchJson(text, path, base, opts);
  return [parseMetricCsv(text, path, base, opts)];
}

/**
 * Parses `timestamp,value` CSV text (header required, case-insensitive) and regularises it.
 * @throws InputError on a missing header, a row without exactly two fields, an unparseable timestamp,
 *   a non-numeric or (unless allowed) negative value, a timestamp going backwards, or no data rows
 */
export function parseMetricCsv(text: string, file: string, id: string, opts: MetricReadOptions = {}): ReadSeries {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) throw new InputError({ file }, 'an empty file', 'a header timestamp,value and at least one row (empty series)');
  const names = header.fields.map((f) => f.toLowerCase());
  if (names.length !== 2 || names[0] !== 'timestamp' || names[1] !== 'value') {
    throw new InputError({ file, line: header.line, field: 'header' }, header.fields.join(','), 'the header timestamp,value');
  }
  const points: RawPoint[] = [];
  for (let r = 1; r < rows.length; r++) {
    const { line, fields } = rows[r]!;
    if (fields.length !== 2) {
      throw new InputError({ file, line }, fields.join(','), `2 comma-separated fields (timestamp,value), found ${fields.length}`);
    }
    const tSec = parseTimestampSec(fields[0]!);
    if (tSec === undefined) throw new InputError({ file, line, field: 'timestamp' }, fields[0], timestampExpectation(fields[0]!));
    const value = parseNumberField(fields[1]!);
    if (value === undefined) throw new InputError({ file, line, field: 'value' }, fields[1], 'a finite number');
    if (value < 0 && !opts.allowNegative) {
      throw new InputError({ file, line, field: 'value' }, value, negativeExpectation(opts));
    }
    points.push({ tSec, value, line, timestampText: fields[0]! });
  }
  return regularise(points, { id, file, ...pickGrid(opts) });
}
