/**
 * Timestamp parsing for signal readers. Pure (no clock; `Date.UTC` is only arithmetic here).
 */

/** Matches `YYYY-MM-DD`, optionally `[T ]HH:MM[:SS[.fff]]` and a zone `Z` / `±HH[:]MM` (ISO 8601 and NAB). */
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/** Matches ISO 8601 basic format `YYYYMMDDTHHMMSS[Z|±HHMM]` (WfCommons Pegasus instances). */
const BASIC_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})?$/;
/** Matches `MM-DD-YYTHH:MM:SSZ` (WfCommons instances written by Pegasus 5), years 20YY. */
const US_SHORT_RE = /^(\d{2})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})?$/;
/** Epoch seconds, integer or decimal. */
const EPOCH_RE = /^\d{1,12}(\.\d+)?$/;

/**
 * Parses a timestamp into epoch seconds, or returns `undefined` when the text is not one of:
 * - epoch seconds (`1404172800`, `1404172800.5`);
 * - ISO 8601 extended (`2014-07-01T00:00:00Z`, `2014-07-01T02:00:00+02:00`, `2014-07-01`);
 * - NAB's `YYYY-MM-DD HH:MM:SS` with no zone;
 * - ISO 8601 basic `20200401T035043+0000` and `MM-DD-YYTHH:MM:SSZ` (both seen in WfCommons files).
 *
 * A timestamp without a zone is taken as **UTC** (NAB does not state the zone; its CloudWatch data is
 * most likely UTC, see `../shared/data/cloudwatch/README.md`). Calendar fields are range-checked
 * (month 1-12, a day that exists in that month, hour < 24, minute and second < 60).
 */
export function parseTimestampSec(text: string): number | undefined {
  const s = text.trim();
  if (EPOCH_RE.test(s)) return Number(s);
  let m = ISO_RE.exec(s);
  if (m) return fromParts(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], m[7], m[8]);
  m = BASIC_RE.exec(s);
  if (m) return fromParts(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], undefined, m[7]);
  m = US_SHORT_RE.exec(s);
  if (m) return fromParts(`20${m[3]!}`, m[1]!, m[2]!, m[4], m[5], m[6], undefined, m[7]);
  return undefined;
}

function fromParts(
  y: string,
  mo: string,
  d: string,
  h: string | undefined,
  mi: string | undefined,
  se: string | undefined,
  frac: string | undefined,
  zone: string | undefined,
): number | undefined {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = se === undefined ? 0 : Number(se);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetSec = zoneOffsetSec(zone);
  if (offsetSec === undefined) return undefined;
  return ms / 1000 + (frac ? Number(`0${frac}`) : 0) - offsetSec;
}

/** Days in `month` (1-12) of `year` in the proleptic Gregorian calendar (leap: divisible by 4, not by 100 unless by 400). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `Z` → 0; `+02:00`, `+0200`, `+02` → 7200; `undefined` (no zone) → 0 (UTC). */
function zoneOffsetSec(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 3600 + minutes * 60);
}
