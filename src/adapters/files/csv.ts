/**
 * Minimal CSV reading shared by the file readers: RFC 4180 fields (double quotes, `""` escapes, no
 * newlines inside quotes), CRLF or LF line ends, blank lines skipped, 1-based line numbers kept for
 * error messages.
 */
import { InputError } from '../../core/model/errors.js';

/** One non-blank CSV line. */
export interface CsvRow {
  /** 1-based line number in the file. */
  readonly line: number;
  /** Fields, trimmed of surrounding spaces and quotes. */
  readonly fields: string[];
}

/**
 * Splits text into non-blank rows of fields.
 * @param text the whole file
 * @param file the path, named in errors
 * @throws InputError on an unterminated quoted field
 */
export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    rows.push({ line: i + 1, fields: splitCsvLine(i === 0 ? raw.replace(/^\uFEFF/, '') : raw, file, i + 1) });
  }
  return rows;
}

/** Splits one CSV line into trimmed fields. @throws InputError on an unterminated quote */
export function splitCsvLine(line: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (inQuotes) throw new InputError({ file, line: lineNo }, line, 'a closing double quote on the same line');
  out.push(cur.trim());
  return out;
}

/**
 * Parses a numeric CSV field strictly (no empty string, no `0x`, no trailing text, finite).
 * @returns the number, or `undefined` when the text is not a plain decimal number
 */
export function parseNumberField(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}
