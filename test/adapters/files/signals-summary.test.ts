import { describe, expect, it } from 'vitest';
import { formatSignalsSummary, summariseSignals } from '../../../src/cli/commands/signals.js';
import { InputError } from '../../../src/core/model/errors.js';
import { metricCsv } from '../../builders/metrics.js';
import { diamondTasks, wfDoc15 } from '../../builders/wfformat.js';
import { tempFiles } from './tmp-files.js';

const { write } = tempFiles('signals');

describe('prescale signals (summary)', () => {
  it('summarises series repairs, traces and arrivals checked against the traces’ workflows', async () => {
    const metrics = write('cpu.csv', metricCsv([[0, 1], [60, 2], [60, 4], [180, 5]]));
    const trace = write('diamond-a-001.json', JSON.stringify(wfDoc15(diamondTasks())));
    const arrivals = write('arr.csv', 'timestamp,workflow\n0,diamond\n30,diamond\n');
    const s = await summariseSignals({ metrics: [metrics], workflows: [trace], arrivals });
    expect(s.series).toEqual([{ id: 'cpu', start: '1970-01-01T00:00:00.000Z', periodSec: 60, periods: 4, pointsRead: 4, duplicatesMerged: 1, gapPeriods: 1, gapsFilled: 1, missing: 0 }]);
    expect(s.workflows).toEqual([{ id: 'diamond-a-001', workflow: 'diamond', tasks: 4, taskTypes: 3, recordedMakespanSec: 110, reconstructedMakespanSec: 80 }]);
    expect(s.arrivals).toMatchObject({ kind: 'chains', chains: 2 });
    const text = formatSignalsSummary(s);
    expect(text).toMatch(/^series\s+start\s+period_s/);
    expect(text).toContain('diamond-a-001');
    expect(text).toContain('arrivals: ');
  });

  it('rejects arrivals naming a workflow no trace provides', async () => {
    const trace = write('diamond-a-001.json', JSON.stringify(wfDoc15(diamondTasks())));
    const arrivals = write('arr.csv', 'timestamp,workflow\n0,montage\n');
    await expect(summariseSignals({ workflows: [trace], arrivals })).rejects.toThrow(/arr\.csv:2: workflow: got "montage", expected one of the workflows read: diamond$/);
  });

  it('places Azure minutes after --day-start', async () => {
    const inv = write('inv.csv', 'HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,3,4\n');
    const s = await summariseSignals({ azure: [inv], dayStart: '2019-07-15' });
    expect(s.series[0]).toMatchObject({ id: 'inv', start: '2019-07-15T00:00:00.000Z', periodSec: 60, periods: 2 });
    await expect(summariseSignals({ azure: [inv], dayStart: 'monday' })).rejects.toThrow(/--day-start: got "monday", expected epoch seconds/);
  });

  it('rejects a bad --period and --group-by', async () => {
    await expect(summariseSignals({ period: '-1' })).rejects.toBeInstanceOf(InputError);
    await expect(summariseSignals({ groupBy: 'app' })).rejects.toThrow('--group-by: got "app", expected total, trigger or function');
  });
});
