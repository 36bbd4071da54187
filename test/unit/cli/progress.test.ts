import { describe, expect, it } from 'vitest';
import { backtestProgress, formatEta } from '../../../src/cli/progress.js';

describe('backtest progress (plain lines under CI or a pipe)', () => {
  it('prints the whole run\'s percentage every 10% with an ETA from the elapsed time', () => {
    const lines: string[] = [];
    let now = 0;
    const p = backtestProgress({ policies: ['reactive', 'prescale'], tty: false, write: (l) => lines.push(l), nowMs: () => now });
    for (const policy of ['reactive', 'prescale']) {
      for (let done = 0; done <= 100; done += 5) {
        now += 100; // 100 ms per 5 ticks
        p.update(policy, done, 100);
      }
    }
    p.stop();
    expect(lines.map((l) => l.match(/^backtest: (\d+)%/)![1])).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    expect(lines[5]).toBe('backtest: 50% (reactive, policy 1/2, ETA 2 s)\n');
    expect(lines[6]).toMatch(/^backtest: 60% \(prescale, policy 2\/2, ETA 2 s\)\n$/);
    expect(lines[10]).toBe('backtest: 100% (prescale, policy 2/2)\n');
  });

  it('formats ETAs in seconds, minutes and hours', () => {
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
    expect(formatEta(Number.NaN)).toBe('?');
  });
});
