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
 * Ready times come from the chain book's schedule: a step the drain delays does not delay its
 * children here (they may start before it ends), and instances are one pool of vCPU (no packing by
 * memory or instance). Both make the estimate lean low when the queue is deep; the tick's residual
 * calibration of the observed backlog (app/tick/pool-calibration.ts) absorbs what it misses.
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
  const running: Array<{ endSec: number; units: number }> = [];
  let used = 0;
  for (const j of jobs) {
    if (!j.running) continue;
    const endSec = j.readySec + j.durationSec;
    if (endSec <= nowSec) continue;
    running.push({ endSec, units: j.units });
    used += j.units;
  }
  const queue = jobs.map((j, i) => ({ j, i })).filter((x) => !x.j.running).sort((a, b) => a.j.readySec - b.j.readySec || a.i - b.i).map((x) => x.j);
  const waiting: DrainJob[] = [];
  let waitingUnits = 0;
  let qi = 0;
  let t = nowSec;
  for (;;) {
    for (let i = running.length - 1; i >= 0; i--) {
      if (running[i].endSec <= t) { used -= running[i].units; running.splice(i, 1); }
    }
    while (qi < queue.length && queue[qi].readySec <= t) { waitingUnits += queue[qi].units; waiting.push(queue[qi++]); }
    for (let i = 0; i < waiting.length;) {
      const w = waiting[i];
      if (used + w.units <= capacityUnits + 1e-9) {
        waitingUnits -= w.units;
        if (w.durationSec > 0) {
          running.push({ endSec: t + w.durationSec, units: w.units });
          used += w.units;
        }
        waiting.splice(i, 1);
      } else i++;
    }
    let next = qi < queue.length ? queue[qi].readySec : Infinity;
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
