import { describe, expect, it } from 'vitest';
import { readAzureFunctionsInvocations } from '../../../src/adapters/files/azure-functions.js';
import { InputError } from '../../../src/core/model/errors.js';
import { dataPath, HAVE_DATA } from './real-data.js';
import { tempFiles } from './tmp-files.js';

const { write } = tempFiles('azure');
const HEAD = 'HashOwner,HashApp,HashFunction,Trigger,480,481,482';
const sample = `${HEAD}\no1,a1,f1,http,1,0,2\no1,a1,f2,timer,0,5,0\no2,a2,f3,http,3,3,3\n`;

describe('readAzureFunctionsInvocations', () => {
  it('sums all functions into one per-minute series starting at minute column 480', async () => {
    const [r, ...rest] = await readAzureFunctionsInvocations(write('inv.csv', sample), { dayStartSec: 86_400 });
    expect(rest).toEqual([]);
    expect(r!.series).toEqual({ id: 'inv', startSec: 86_400 + 479 * 60, periodSec: 60, values: [4, 8, 5], unit: 'Count' });
  });

  it('groups by trigger and by function in sorted order', async () => {
    const path = write('inv.csv', sample);
    const byTrigger = await readAzureFunctionsInvocations(path, { groupBy: 'trigger' });
    expect(byTrigger.map((r) => [r.series.id, r.series.values])).toEqual([['inv:http', [4, 3, 5]], ['inv:timer', [0, 5, 0]]]);
    const byFn = await readAzureFunctionsInvocations(path, { groupBy: 'function' });
    expect(byFn.map((r) => r.series.id)).toEqual(['inv:f1', 'inv:f2', 'inv:f3']);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a foreign header', 'a,b,c,d,1\n', /bad\.csv:1: header: got "a,b,c,d,1", expected HashOwner,HashApp,HashFunction,Trigger followed by minute columns$/],
    ['non-consecutive minutes', 'HashOwner,HashApp,HashFunction,Trigger,1,2,4\n', /bad\.csv:1: column 7: got "4", expected minute number 3 \(consecutive minutes\)$/],
    ['a short row', `${HEAD}\no,a,f,http,1,2\n`, /bad\.csv:2: got "6 fields", expected 7 fields, as in the header$/],
    ['a non-integer count', `${HEAD}\no,a,f,http,1,x,2\n`, /bad\.csv:2: minute 481: got "x", expected a count of invocations \(an integer >= 0\)$/],
    ['a negative count', `${HEAD}\no,a,f,http,1,-2,2\n`, /bad\.csv:2: minute 481: got "-2", expected a count/],
    ['an empty trigger', `${HEAD}\no,a,f,,1,2,2\n`, /bad\.csv:2: Trigger: got "", expected a trigger name/],
    ['no rows', `${HEAD}\n`, /bad\.csv: got "no function rows", expected at least one function row/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}`, async () => {
      const e = await readAzureFunctionsInvocations(write('bad.csv', text)).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(message);
    });
  }

  it.skipIf(!HAVE_DATA)('reads the shared 500-function sample: 480 minutes holding all 3,037,902 invocations', async () => {
    const path = dataPath('serverless/azure_functions_2019_vhive_sample/500fn_minutes480-959_invocations.csv');
    const [total] = await readAzureFunctionsInvocations(path);
    expect(total!.series.values).toHaveLength(480);
    expect(total!.series.values.reduce((s, v) => s + v, 0)).toBe(3_037_902);
    const byTrigger = await readAzureFunctionsInvocations(path, { groupBy: 'trigger' });
    expect(byTrigger.map((r) => r.series.id.split(':')[1])).toEqual(['event', 'http', 'orchestration', 'others', 'queue', 'storage', 'timer']);
  });

  it.skipIf(!HAVE_DATA)('reads the shared 10-function full day: 1,440 minutes, 13,037,064 invocations', async () => {
    const [total] = await readAzureFunctionsInvocations(dataPath('serverless/azure_functions_2019_vhive_sample/10fn_fullday_invocations.csv'));
    expect(total!.series).toMatchObject({ startSec: 0, periodSec: 60 });
    expect(total!.series.values).toHaveLength(1440);
    expect(total!.series.values.reduce((s, v) => s + v, 0)).toBe(13_037_064);
  });
});
