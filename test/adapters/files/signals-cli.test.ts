import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './tmp-files.js';

const { write } = tempFiles('signals-cli');

/** Runs `prescale signals ...` through tsx, as `npm run prescale -- signals ...` would. */
function prescale(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'signals', ...args], { encoding: 'utf8' });
}

describe('prescale signals (process)', () => {
  it('exits 2 with one stderr line naming file, line, field, value and expectation on bad input, printing nothing on stdout', () => {
    const bad = write('cpu.csv', 'timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:05:00,oops\n');
    const r = prescale('--metrics', bad);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`prescale: ${bad}:3: value: got "oops", expected a finite number`);
  });

  it('exits 0 and prints the report for good input', () => {
    const good = write('cpu.csv', 'timestamp,value\n0,1\n60,2\n');
    const r = prescale('--metrics', good, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).series[0]).toMatchObject({ id: 'cpu', periodSec: 60, periods: 2 });
  });
});
