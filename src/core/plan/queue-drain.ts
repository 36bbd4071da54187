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

/** Capacity that becomes ready later (a pending launch): `units` from `atSec` (epoch seconds) on. */
export interface CapacityArrival {
  readonly atSec: number;
  readonly units: number;
}

/** Options of {@link drainedDemandUnits} (issue 19: demand that is what capacity will face). */
export interface DrainOptions {
  /**
   * Pending capacity joining the ready capacity at its expected ready time (launch time + lead
   * time): the queue it drains before a new launch could boot needs no new launch. @default none
   */
  readonly arrivals?: readonly CapacityArrival[];
  /**
   * Steps count as the capacity that clears them within this many seconds: a running or waiting
   * step of u units and expected runtime d counts u × min(1, d / drainToleranceSec). A fan-out of
   * 108 one-second one-vCPU steps then counts 108 / τ units rather than 108 (a step as long as τ or
   * longer still counts its full units, it cannot share a vCPU within τ). It is the capacity for
   * which every waiting step starts within about τ (list scheduling of unit-width work: the work
   * present over the capacity is its drain time), and unlike running + waiting units it does not
   * grow when more capacity runs more of the work at once. @default undefined: steps count their
   * full units (running + waiting)
   */
  readonly drainToleranceSec?: number;
}

/**
 * Running-plus-waiting units per slot (the largest over each slot), `slots` slots of `slotSec` from
 * `nowSec`, with the queue list-scheduled on `capacityUnits` (plus `opts.arrivals` as they become
 * ready); waiting steps counted as in {@link DrainOptions.drainToleranceSec}.
 * @throws RangeError when `slotSec` is not positive, `slots` is negative or the tolerance is not positive
 */
export function drainedDemandUnits(
  jobs: readonly DrainJob[], capacityUnits: number, nowSec: number, slotSec: number, slots: number, opts: DrainOptions = {},
): number[] {
  if (!(slotSec > 0) || !(slots >= 0)) throw new RangeError(`slotSec must be > 0 and slots >= 0, got ${slotSec} and ${slots}`);
  const tol = opts.drainToleranceSec;
  if (tol !== undefined && !(tol > 0)) throw new RangeError(`drainToleranceSec must be > 0, got ${tol}`);
  // pending capacity by ready time; arrivals already due are ready now
  const arrivals = [...(opts.arrivals ?? [])].filter((a) => a.units > 0).sort((a, b) => a.atSec - b.atSec);
  let capacity = capacityUnits;
  let nextArrival = 0;
  const out = new Array<number>(slots).fill(0);
  const horizonEndSec = nowSec + slots * slotSec;
  const running: Array<{ endSec: number; units: number; i: number }> = [];
  let used = 0;
  // running and waiting steps as the capacity that clears them within the tolerance: u × min(1, d / τ) each
  let usedFaced = 0;
  const faced = (j: DrainJob): number => (tol === undefined ? j.units : j.units * Math.min(1, j.durationSec / tol));
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
    usedFaced += faced(j);
  });
  const waiting: number[] = [];
  let waitingUnits = 0;
  let waitingFaced = 0;
  let t = nowSec;
  for (;;) {
    while (nextArrival < arrivals.length && arrivals[nextArrival].atSec <= t) capacity += arrivals[nextArrival++].units;
    for (let i = running.length - 1; i >= 0; i--) {
      if (running[i].endSec <= t) { used -= running[i].units; usedFaced -= faced(jobs[running[i].i]); finish(running[i].i, running[i].endSec); running.splice(i, 1); }
    }
    let admitted = 0;
    while (admitted < eligible.length && readyAt[eligible[admitted]] <= t) {
      waitingUnits += jobs[eligible[admitted]].units;
      waitingFaced += faced(jobs[eligible[admitted]]);
      waiting.push(eligible[admitted++]);
    }
    eligible.splice(0, admitted);
    for (let w = 0; w < waiting.length;) {
      const i = waiting[w];
      const j = jobs[i];
      if (used + j.units <= capacity + 1e-9) {
        waitingUnits -= j.units;
        waitingFaced -= faced(j);
        if (j.durationSec > 0) {
          running.push({ endSec: t + j.durationSec, units: j.units, i });
          used += j.units;
          usedFaced += faced(j);
        } else finish(i, t);
        waiting.splice(w, 1);
      } else w++;
    }
    // a child freed by a zero-length step started just now is ready at t: it is queued on the next pass
    let next = eligible.length > 0 ? Math.max(t, readyAt[eligible[0]]) : Infinity;
    for (const r of running) if (r.endSec > t && r.endSec < next) next = r.endSec;
    if (nextArrival < arrivals.length && waiting.length > 0) next = Math.min(next, arrivals[nextArrival].atSec);
    // with a tolerance: the work present over τ (never more than running + waiting), which does not
    // grow when more capacity runs more of it at once
    const raw = used + waitingUnits;
    const present = tol === undefined ? raw : Math.min(raw, (running.length > 0 ? usedFaced : 0) + (waiting.length > 0 ? waitingFaced : 0));
    const level = Math.max(0, Math.round(present * 1e9) / 1e9);
    const kFrom = Math.max(0, Math.floor((t - nowSec) / slotSec));
    const kTo = next >= horizonEndSec ? slots - 1 : Math.ceil((next - nowSec) / slotSec) - 1;
    for (let k = kFrom; k <= kTo && k < slots; k++) out[k] = Math.max(out[k], level);
    if (next >= horizonEndSec) break;
    t = next;
  }
  return out;
}
