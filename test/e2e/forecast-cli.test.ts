import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** Each case spawns `npx tsx` (slow to start on a loaded machine). */
const SPAWN_TIMEOUT_MS = 180_000;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function prescale(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd(), maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('prescale forecast (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prescale-forecast-'));
    const t0 = 1_700_000_100;
    const cpu = ['timestamp,value'];
    const iso = ['timestamp,value'];
    for (let i = 0; i < 700; i++) {
      cpu.push(`${t0 + i * 300},${(40 + 10 * Math.sin((2 * Math.PI * i) / 288) + ((i * 37) % 7) / 7).toFixed(3)}`);
      iso.push(`${new Date((t0 + i * 60) * 1000).toISOString()},${(5 + ((i * 13) % 5)).toFixed(1)}`);
    }
    writeFileSync(join(dir, 'cpu.csv'), `${cpu.join('\n')}\n`);
    writeFileSync(join(dir, 'requests.csv'), `${iso.join('\n')}\n`);
    writeFileSync(join(dir, 'broken.csv'), 'timestamp,value\n1700000000,12\n1700000300,oops\n');
    writeFileSync(join(dir, 'one-row.csv'), 'timestamp,value\n1700000000,12\n');
    writeFileSync(join(dir, 'same-time.csv'), `timestamp,value\n${Array.from({ length: 50 }, (_, i) => `1700000000,${i}`).join('\n')}\n`);
    writeFileSync(join(dir, 'short.csv'), `timestamp,value\n${Array.from({ length: 10 }, (_, i) => `${1_700_000_000 + i * 60},${i}`).join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints H rows per good file in input order, then reports the bad file and exits non-zero', async () => {
    const r = await prescale(['forecast', '--input', join(dir, 'cpu.csv'), join(dir, 'broken.csv'), join(dir, 'requests.csv'), '--horizon', '3']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('series,step,timestamp,mean,lo_80,hi_80,model');
    expect(lines).toHaveLength(1 + 2 * 3);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['cpu,1', 'cpu,2', 'cpu,3', 'requests,1', 'requests,2', 'requests,3']);
    // cpu: 5-minute steps after the last timestamp
    const last = 1_700_000_100 + 699 * 300;
    expect(lines[1].split(',')[2]).toBe(new Date((last + 300) * 1000).toISOString().replace('.000Z', 'Z'));
    for (const l of lines.slice(1)) {
      const [, , , mean, lo, hi] = l.split(',').map(Number);
      expect(lo).toBeLessThanOrEqual(mean);
      expect(hi).toBeGreaterThanOrEqual(mean);
      expect(lo).toBeGreaterThanOrEqual(0);
    }
    expect(r.stderr).toMatch(/broken\.csv:3: value: got "oops", expected a finite number/);
  }, SPAWN_TIMEOUT_MS);

  it('follows --level and --format json', async () => {
    const r = await prescale(['forecast', '--input', join(dir, 'requests.csv'), '--horizon', '2', '--level', '95', '--format', 'json', '--model', 'ets']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0])).toEqual(['series', 'step', 'timestamp', 'mean', 'lo_95', 'hi_95', 'model']);
    expect(rows[1].timestamp).toBe(new Date((1_700_000_100 + 701 * 60) * 1000).toISOString().replace('.000Z', 'Z'));
  }, SPAWN_TIMEOUT_MS);

  it('writes nothing to stdout when every input is bad: one row, all-equal timestamps, fewer points than two seasons', async () => {
    for (const [file, msg] of [
      ['one-row.csv', /one-row\.csv: timestamp: got "1 row", expected a series with a regular step/],
      ['same-time.csv', /same-time\.csv: timestamp: got "50 rows, all with one timestamp", expected a series with a regular step/],
      ['short.csv', /short\.csv: got "10 points in series short", expected at least 24 points/],
    ] as const) {
      const r = await prescale(['forecast', '--input', join(dir, file), '--horizon', '3']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
    }
  }, SPAWN_TIMEOUT_MS * 3);

  it('bounds --horizon and says the bound in --help', async () => {
    const r = await prescale(['forecast', '--input', join(dir, 'cpu.csv'), '--horizon', '1000000000']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--horizon: got "1000000000", expected an integer >= 1 and <= 20160/);
    const help = await prescale(['forecast', '--help']);
    expect(help.stdout).toMatch(/\(1\.\.20160\)/);
  }, SPAWN_TIMEOUT_MS);

  it('rejects a bad horizon with a clear message', async () => {
    const r = await prescale(['forecast', '--input', join(dir, 'cpu.csv'), '--horizon', 'zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--horizon: got "zero", expected an integer >= 1/);
  }, SPAWN_TIMEOUT_MS);
  it('reads every metric file of a directory given as --input, in name order, and names --input for a directory without any', async () => {
    const sub = join(dir, 'series');
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.csv'), readFileSync(join(dir, 'requests.csv')));
    writeFileSync(join(sub, 'a.csv'), readFileSync(join(dir, 'cpu.csv')));
    const r = await prescale(['forecast', '--input', sub, '--horizon', '2', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ series: string }>;
    expect(rows.map((x) => x.series)).toEqual(['a', 'a', 'b', 'b']);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const bad = await prescale(['forecast', '--input', empty, '--horizon', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--input/);
  }, SPAWN_TIMEOUT_MS);
});
