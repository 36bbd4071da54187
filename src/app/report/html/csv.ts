/**
 * Minimal RFC 4180 CSV reading and writing for the report's files (timeline.csv and the optional
 * extra files): fields separated by commas, quoted with `"` when they contain a comma, quote or
 * newline, quotes doubled inside quoted fields. Pure.
 */
import { InputError } from '../../../core/model/errors.js';

/** One parsed record: its 1-based line number in the file and its fields. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Splits CSV text into records (blank lines skipped, `\r\n` accepted).
 * @throws InputError naming `file` and the line when a quoted field is not closed
 */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let ended = false;
    while (!ended) {
      if (i < n && text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new InputError({ file, line: startLine }, field.slice(0, 40), 'a closing double quote');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
      }
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      fields.push(field);
      field = '';
      if (i >= n) ended = true;
      else if (text[i] === ',') i++;
      else {
        if (text[i] === '\r') i++;
        if (text[i] === '\n') i++;
        line++;
        ended = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: startLine, fields });
  }
  return out;
}

/** Quotes a field when needed (comma, quote, CR or LF inside). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Formats a number with at most `digits` decimals, without trailing zeros ("-0" written as "0"). */
export function csvNumber(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return t === '-0' ? '0' : t;
}

/**
 * Maps a header record onto the `required` columns (any order; extra columns ignored).
 * @returns the index of each required column, and of each `optional` column found
 * @throws InputError naming the first missing column
 */
export function columnIndex<R extends string, O extends string = never>(
  header: CsvRecord | undefined, file: string, required: readonly R[], optional: readonly O[] = [],
): Record<R, number> & Partial<Record<O, number>> {
  if (!header) throw new InputError({ file, line: 1 }, '', `a header line with columns ${required.join(',')}`);
  const names = header.fields.map((f) => f.trim());
  const idx: Record<string, number> = {};
  for (const c of required) {
    const k = names.indexOf(c);
    if (k < 0) throw new InputError({ file, line: header.line, field: c }, names.join(','), `a header with column "${c}" (columns ${required.join(',')})`);
    idx[c] = k;
  }
  for (const c of optional) {
    const k = names.indexOf(c);
    if (k >= 0) idx[c] = k;
  }
  return idx as Record<R, number> & Partial<Record<O, number>>;
}

/**
 * Reads a finite number (optionally ≥ 0) from a record's column.
 * @throws InputError naming file, line, column and the value
 */
export function numberField(rec: CsvRecord, at: number, file: string, column: string, nonNegative = false): number {
  const raw = (rec.fields[at] ?? '').trim();
  const x = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(x) || (nonNegative && x < 0)) {
    throw new InputError({ file, line: rec.line, field: column }, raw, nonNegative ? 'a finite number >= 0' : 'a finite number');
  }
  return x;
}

/**
 * Reads a non-empty text field from a record's column.
 * @throws InputError naming file, line and column when empty or missing
 */
export function textField(rec: CsvRecord, at: number, file: string, column: string): string {
  const raw = rec.fields[at];
  if (raw === undefined || raw.trim() === '') throw new InputError({ file, line: rec.line, field: column }, raw ?? '', 'a non-empty value');
  return raw.trim();
}
