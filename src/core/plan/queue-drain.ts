/**
 * Demand of the steps a pool already knows of, with the queue drained by the capacity it has. Pure.
 *
 * The chain book schedules every known step as if capacity were unlimited: a queued step starts now
 * and holds its vCPU for its median runtime. When the pool is short, that is wrong both ways: a burst
 * of short steps (300 one-second tasks) is counted as 300 units now, although the ready capacity
 * finishes it within seconds, long before a launch could help; a queue of long steps is counted as
 * ending after one runtime, although it drains over several. This list-schedules the known steps on
 * the pool's ready capacity instead (first come, first served with backfilling, as a batch scheduler
 * places work), and reports per slot the largest running-plus-waiting units: the capacity the pool
 * would need at that time for no known step to wait, if nothing more were launched.
 *
 * Units are vCPU (capacity units); a job wider than the whole capacity waits (it needs a launch).
 * Ready times come from the chain book's schedule; a job listing `after` (its parents in the same
 * list) is also held until they end here, so a fan-out the drain delays delays its merge. Parents in
 * other pools keep the book's times, and instances are one pool of vCPU (no packing by memory or
 * instance): the estimate leans low when the queue is deep, and the tick's residual calibration of
 * the observed backlog (core/tick/pool-calibration.ts) absorbs what it misses.
 */

/** One known step. */
export interface DrainJob {
  /** Running: when it started; waiting or future: when it is (expected to be) ready, epoch seconds. */
  readonly readySec: number;
  /** Expected runtime, seconds (Infinity: unknown, held until the horizon ends). */
  readonly durationSec: number;
  readonly units: number;
  /** True when the step is running (it holds its units from `readySec` for `durationSec`). */
  readonly running: boolean;
  /** Indices (in the same job list) of steps it waits for: it is ready no earlier than they end here. */
  readonly after?: readonly number[];
}

/**
 * Running-plus-waiting units per slot (the largest over each slot), `slots` slots of `slotSec` from
 * `nowSec`, with the queue list-scheduled on `capacityUnits`.
 * @throws RangeError when `slotSec` is not positive or `slots` is negative
 */
export function drainedDemandUnits(jobs: readonly DrainJob[], capacityUnits: number, nowSec: number, slotSec: number, slots: number): number[] {
  if (!(slotSec > 0) || !(slots >= 0)) throw new RangeError(`slotSec must be > 0 and slots >= 0, got ${slotSec} and ${slots}`);
  const out = new Array<number>(slots).fill(0);
  const horizonEndSec = nowSec + slots * slotSec;
  const running: Array<{ endSec: number; units: number; i: number }> = [];
  let used = 0;
  // children held back until their parents end in this schedule
  const blockers = jobs.map((j) => (j.after ?? []).filter((p) => p !== undefined && p >= 0 && p < jobs.length).length);
  const children = jobs.map(() => [] as number[]);
  jobs.forEach((j, i) => (j.after ?? []).forEach((p) => { if (p >= 0 && p < jobs.length) children[p].push(i); }));
  const readyAt = jobs.map((j) => j.readySec);
  // jobs not running whose parents have all ended, by (ready time, index): the next to queue first
  const eligible: number[] = [];
  const before = (a: number, b: number): boolean => readyAt[a] < readyAt[b] || (readyAt[a] === readyAt[b] && a < b);
  const makeEligible = (i: number): void => {
    let lo = 0;
    let hi = eligible.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (before(eligible[mid], i)) lo = mid + 1; else hi = mid; }
    eligible.splice(lo, 0, i);
  };
  const finish = (i: number, tSec: number): void => {
    for (const c of children[i]) {
      readyAt[c] = Math.max(readyAt[c], tSec);
      if (--blockers[c] === 0 && !jobs[c].running) makeEligible(c);
    }
  };
  jobs.forEach((j, i) => {
    if (!j.running && blockers[i] === 0) makeEligible(i);
  });
  jobs.forEach((j, i) => {
    if (!j.running) return;
    const endSec = j.readySec + j.durationSec;
    if (endSec <= nowSec) { finish(i, nowSec); return; }
    running.push({ endSec, units: j.units, i });
    used += j.units;
  });
  const waiting: number[] = [];
  let waitingUnits = 0;
  let t = nowSec;
  for (;;) {
    for (let i = running.length - 1; i >= 0; i--) {
      if (running[i].endSec <= t) { used -= running[i].units; finish(running[i].i, running[i].endSec); running.splice(i, 1); }
    }
    let admitted = 0;
    while (admitted < eligible.length && readyAt[eligible[admitted]] <= t) {
      waitingUnits += jobs[eligible[admitted]].units;
      waiting.push(eligible[admitted++]);
    }
    eligible.splice(0, admitted);
    for (let w = 0; w < waiting.length;) {
      const i = waiting[w];
      const j = jobs[i];
      if (used + j.units <= capacityUnits + 1e-9) {
        waitingUnits -= j.units;
        if (j.durationSec > 0) {
          running.push({ endSec: t + j.durationSec, units: j.units, i });
          used += j.units;
        } else finish(i, t);
        waiting.splice(w, 1);
      } else w++;
    }
    // a child freed by a zero-length step started just now is ready at t: it is queued on the next pass
    let next = eligible.length > 0 ? Math.max(t, readyAt[eligible[0]]) : Infinity;
    for (const r of running) if (r.endSec > t && r.endSec < next) next = r.endSec;
    const level = Math.max(0, used + waitingUnits);
    const kFrom = Math.max(0, Math.floor((t - nowSec) / slotSec));
    const kTo = next >= horizonEndSec ? slots - 1 : Math.ceil((next - nowSec) / slotSec) - 1;
    for (let k = kFrom; k <= kTo && k < slots; k++) out[k] = Math.max(out[k], level);
    if (next >= horizonEndSec) break;
    t = next;
  }
  return out;
}
