import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { SimClock } from '../../../src/sim/sim-clock.js';
import { clockReading, ManualClock } from '../../fakes/manual-clock.js';

describe('SimClock timers', () => {
  it('fires timers in (due time, order set) order while time advances, each seeing its own due time', () => {
    const clock = new SimClock(100);
    const seen: string[] = [];
    clock.setTimer(2000, () => seen.push(`b@${clock.nowSec()}`));
    clock.setTimer(1000, () => seen.push(`a@${clock.nowSec()}`));
    clock.setTimer(2000, () => seen.push(`c@${clock.nowSec()}`));
    clock.advanceTo(101.5);
    expect(seen).toEqual(['a@101']);
    clock.advanceTo(110);
    expect(seen).toEqual(['a@101', 'b@102', 'c@102']);
    expect(clock.nowSec()).toBe(110);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires a repeating timer once per period passed, and never after cancel', () => {
    const clock = new SimClock(0);
    const at: number[] = [];
    const t = clock.setRepeating(10_000, () => at.push(clock.nowSec()));
    clock.advanceTo(35);
    expect(at).toEqual([10, 20, 30]);
    t.cancel();
    clock.advanceTo(100);
    expect(at).toEqual([10, 20, 30]);
  });

  it('fires a timer a callback sets when it falls inside the same advance', () => {
    const clock = new SimClock(0);
    const at: number[] = [];
    clock.setTimer(1000, () => clock.setTimer(1000, () => at.push(clock.nowSec())));
    clock.advanceTo(5);
    expect(at).toEqual([2]);
  });

  it('never goes back and refuses a zero repeating period', () => {
    const clock = new SimClock(10);
    expect(() => clock.advanceTo(9)).toThrow(/cannot go back/);
    expect(() => clock.setRepeating(0, () => undefined)).toThrow(/periodMs > 0/);
  });

  it('resolves sleep when its time comes, or at once when aborted', async () => {
    const clock = new SimClock(0);
    let woke = false;
    const p = clock.sleep(5000).then(() => { woke = true; });
    clock.advanceTo(4);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advanceTo(5);
    await p;
    expect(woke).toBe(true);
    const ctl = new AbortController();
    const q = clock.sleep(60_000, ctl.signal);
    ctl.abort();
    await q;
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('ManualClock', () => {
  it('runs a loop that sleeps between iterations exactly as many times as simulated time allows, without real waiting', async () => {
    const clock = new ManualClock(1000);
    const ticks: number[] = [];
    const stop = new AbortController();
    const loop = (async () => {
      while (!stop.signal.aborted) {
        ticks.push(clock.nowSec());
        await clock.sleep(30_000, stop.signal);
      }
    })();
    await clock.advanceMs(95_000);
    expect(ticks).toEqual([1000, 1030, 1060, 1090]);
    stop.abort();
    await loop;
  });

  it('advanceUntil stops as soon as the condition holds and throws when it never does', async () => {
    const clock = new ManualClock(0);
    let n = 0;
    clock.setRepeating(1000, () => n++);
    await clock.advanceUntil(() => n >= 3, 500);
    expect(n).toBe(3);
    await expect(clock.advanceUntil(() => false, 1000, 5)).rejects.toThrow(/not reached after 5 steps/);
  });

  it('clockReading tells time and refuses to wait', () => {
    let now = 5;
    const c = clockReading(() => now);
    now = 7;
    expect(c.nowSec()).toBe(7);
    expect(() => c.setTimer(1, () => undefined)).toThrow(/only tells time/);
  });
});

describe('SystemClock', () => {
  it('tells wall time in epoch seconds', () => {
    const before = Date.now() / 1000;
    const t = new SystemClock().nowSec();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('sleeps, wakes at once on abort, and a cancelled timer never fires', async () => {
    const clock = new SystemClock();
    await clock.sleep(1);
    const ctl = new AbortController();
    ctl.abort();
    await clock.sleep(3_600_000, ctl.signal); // resolves at once: the test would time out otherwise
    let fired = 0;
    clock.setTimer(1, () => fired++).cancel();
    const rep = clock.setRepeating(1, () => fired++, { background: true });
    rep.cancel();
    await clock.sleep(20);
    expect(fired).toBe(0);
  });
});
