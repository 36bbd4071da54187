/**
 * Reads a DynamoDB log by time window from a stored cursor, so a tick reads only the entries appended
 * since the previous tick instead of the log from sequence 0 (DynamoDB bills every item a Query reads,
 * FilterExpression or not: DynamoDB Developer Guide, "Query: filter expressions").
 *
 * The cursor (one item, `log-cursors/<log>`) holds the sequence after the last read, the window end of
 * that read, and hourly checkpoints (window end → sequence) for the last `keepSec`, so a cold start
 * that re-reads the history window starts at the checkpoint before the window, not at sequence 0.
 *
 * Semantics as the port asks (`sinceSec <= atSec < untilSec`): entries stamped at or after `untilSec`
 * are returned by a later read (the cursor stops before the first of them); an entry appended with an
 * `atSec` before the last read's window end is not returned (the time-window reads did not either).
 * Concurrent appenders: an entry whose sequence was allocated but not yet written when the read ran is
 * skipped once a later sequence was read (DynamoDB has no read-your-allocation); the controller's
 * logs have one writer per entry stream, so this is noted, not handled.
 */
import type { DynamoDbStateStore } from './dynamodb-state-store.js';

/** Table holding the cursors. */
export const CURSOR_TABLE = 'log-cursors';

/** The stored cursor of one log. */
interface LogCursor {
  readonly nextSeq: number;
  readonly untilSec: number;
  readonly checkpoints: ReadonlyArray<{ readonly atSec: number; readonly seq: number }>;
}

/** Options of {@link CursorLogReader}. */
export interface CursorLogReaderOptions {
  /** Seconds between checkpoints. @default 3600 */
  readonly checkpointEverySec?: number;
  /** Seconds of checkpoints kept (longer than the tick's history window). @default 8 days */
  readonly keepSec?: number;
}

/** See module documentation. */
export class CursorLogReader<T extends { readonly atSec: number }> {
  constructor(private readonly store: DynamoDbStateStore, private readonly log: string, private readonly opts: CursorLogReaderOptions = {}) {}

  /** Entries with `sinceSec <= atSec < untilSec`, in append order; advances the stored cursor. */
  async read(sinceSec: number, untilSec: number): Promise<T[]> {
    const c = (await this.store.get<LogCursor>(CURSOR_TABLE, this.log))?.value;
    let from = 0;
    if (c && sinceSec >= c.untilSec) from = c.nextSeq;
    else if (c) from = [...c.checkpoints].reverse().find((k) => k.atSec <= sinceSec)?.seq ?? 0;
    const page = await this.store.readLogSince<T>(this.log, from);
    const out: T[] = [];
    let nextSeq = page.nextSeq;
    for (const e of page.entries) {
      if (e.value.atSec >= untilSec) nextSeq = Math.min(nextSeq, e.seq);
      else if (e.value.atSec >= sinceSec) out.push(e.value);
    }
    if (!c || untilSec >= c.untilSec) {
      const every = this.opts.checkpointEverySec ?? 3600;
      const keep = this.opts.keepSec ?? 8 * 86_400;
      const kept = (c?.checkpoints ?? []).filter((k) => k.atSec >= untilSec - keep);
      const last = kept[kept.length - 1];
      const checkpoints = !last || untilSec - last.atSec >= every ? [...kept, { atSec: untilSec, seq: nextSeq }] : kept;
      await this.store.put<LogCursor>(CURSOR_TABLE, this.log, { nextSeq, untilSec, checkpoints });
    }
    return out;
  }
}
