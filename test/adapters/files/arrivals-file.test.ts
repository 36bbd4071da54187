import { describe, expect, it } from 'vitest';
import { readArrivalsFile } from '../../../src/adapters/files/arrivals-file.js';
import { InputError } from '../../../src/core/model/errors.js';
import { arrivalsFromCounts } from '../../../src/core/signals/arrivals.js';
import { tempFiles } from './tmp-files.js';

const { write } = tempFiles('arrivals');

describe('readArrivalsFile', () => {
  it('reads one chain per row with workflow and optional principal', async () => {
    const a = await readArrivalsFile(write('a.csv', 'timestamp,workflow\n2024-01-01T00:00:00Z,montage\n1704067260,soykb\n'));
    expect(a).toEqual({ kind: 'chains', file: expect.stringMatching(/a\.csv$/), arrivals: [{ atSec: 1704067200, workflow: 'montage' }, { atSec: 1704067260, workflow: 'soykb' }] });
    const b = await readArrivalsFile(write('b.csv', 'timestamp,workflow,principal\n2024-01-01 00:00:00,montage,alice\n'));
    expect(b.kind === 'chains' && b.arrivals).toEqual([{ atSec: 1704067200, workflow: 'montage', principal: 'alice' }]);
  });

  it('reads a timestamp,value file as counts per period, which arrivalsFromCounts spreads evenly', async () => {
    const a = await readArrivalsFile(write('c.csv', 'timestamp,value\n0,2\n60,0\n120,1\n'));
    expect(a.kind).toBe('counts');
    if (a.kind !== 'counts') return;
    expect(a.series).toMatchObject({ id: 'c', periodSec: 60, values: [2, 0, 1] });
    expect(arrivalsFromCounts(a.series, 'montage').map((x) => x.atSec)).toEqual([15, 45, 150]);
  });

  const bad: Array<[string, string, RegExp, { knownWorkflows?: string[] }?]> = [
    ['an unknown header', 'time,flow\n0,a\n', /bad\.csv:1: header: got "time,flow", expected the header timestamp,workflow\[,principal\]/],
    ['a malformed row', 'timestamp,workflow\n0,a,extra\n', /bad\.csv:2: got "0,a,extra", expected 2 comma-separated fields \(timestamp,workflow\), found 3$/],
    ['a bad timestamp', 'timestamp,workflow\nnoon,a\n', /bad\.csv:2: timestamp: got "noon", expected epoch seconds/],
    ['a timestamp going backwards', 'timestamp,workflow\n100,a\n50,a\n', /bad\.csv:3: timestamp: got "50", expected a timestamp >= the previous row's 100 \(timestamps must not go backwards\)$/],
    ['an empty workflow', 'timestamp,workflow\n100,\n', /bad\.csv:2: workflow: got "", expected a workflow name$/],
    ['an unknown workflow', 'timestamp,workflow\n100,blast\n', /bad\.csv:2: workflow: got "blast", expected one of the workflows read: montage, soykb$/, { knownWorkflows: ['soykb', 'montage'] }],
    ['an empty principal', 'timestamp,workflow,principal\n100,a,\n', /bad\.csv:2: principal: got "", expected a principal name/],
    ['no rows', 'timestamp,workflow\n', /bad\.csv: got "no rows", expected at least one arrival row/],
    ['an empty file', '', /bad\.csv: got "an empty file", expected the header/],
    ['a negative count', 'timestamp,value\n0,-1\n', /bad\.csv:2: value: got -1, expected a number >= 0/],
    ['a non-numeric count', 'timestamp,value\n0,many\n', /bad\.csv:2: value: got "many", expected a finite number$/],
  ];
  for (const [what, text, message, opts] of bad) {
    it(`rejects ${what} with a one-line error`, async () => {
      const e = await readArrivalsFile(write('bad.csv', text), opts).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
    });
  }
});
