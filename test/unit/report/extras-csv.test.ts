import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/model/errors.js';
import {
  attributionCsvText, attributionRows, eventsCsvText, forecastCsvText, forecastRowsFromForecast, parseAttributionCsv, parseCsvRecords,
  parseEventsCsv, parseForecastCsv, type EventRow, type ForecastRow,
} from '../../../src/app/report/html/index.js';

describe('report extras: CSV formats', () => {
  it('reads quoted fields with commas, doubled quotes, newlines and CRLF line ends', () => {
    const recs = parseCsvRecords('a,b,c\r\n1,"x, ""y""",z\n\n2,"multi\nline",\n', 'f.csv');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', 'z'] },
      { line: 4, fields: ['2', 'multi\nline', ''] },
    ]);
  });

  it('round-trips forecast, events and attribution rows through their writers and parsers, sorted', () => {
    const forecast: ForecastRow[] = [
      { timestamp: 600, policy: 'prescale', pool: 'web', p10_units: 1, p50_units: 2.5, p90_units: 4 },
      { timestamp: 300, policy: 'prescale', pool: 'web', p10_units: 0.12345, p50_units: 1, p90_units: 1 },
    ];
    expect(parseForecastCsv(forecastCsvText(forecast), 'forecast.csv')).toEqual([
      { timestamp: 300, policy: 'prescale', pool: 'web', p10_units: 0.1235, p50_units: 1, p90_units: 1 },
      forecast[0],
    ]);
    const events: EventRow[] = [
      { timestamp: 90, policy: 'prescale', pool: 'batch', kind: 'variant-switch', detail: 'etl/a -> etl/b, "spot-interruption"' },
      { timestamp: 30, policy: 'reactive', pool: '', kind: 'spot-interruption', detail: '' },
    ];
    expect(parseEventsCsv(eventsCsvText(events), 'events.csv')).toEqual([events[1], events[0]]);
    const attribution = attributionRows('prescale', [
      { principal: 'bob', workflow: 'etl', costUsd: 1.5 },
      { principal: 'alice', workflow: 'etl', costUsd: 0.25 },
      { principal: 'bob', workflow: 'etl', costUsd: 0.5 },
    ]);
    expect(attribution).toEqual([
      { policy: 'prescale', principal: 'alice', workflow: 'etl', chains: 1, cost_usd: 0.25 },
      { policy: 'prescale', principal: 'bob', workflow: 'etl', chains: 2, cost_usd: 2 },
    ]);
    expect(attributionCsvText(attribution)).toBe('policy,principal,workflow,chains,cost_usd\nprescale,alice,etl,1,0.25\nprescale,bob,etl,2,2\n');
    expect(parseAttributionCsv(attributionCsvText(attribution), 'a.csv')).toEqual(attribution);
  });

  it('accepts columns in any order and ignores extra columns', () => {
    const rows = parseForecastCsv('pool,policy,p90_units,p50_units,p10_units,timestamp,note\nweb,prescale,3,2,1,60,x\n', 'f.csv');
    expect(rows).toEqual([{ timestamp: 60, policy: 'prescale', pool: 'web', p10_units: 1, p50_units: 2, p90_units: 3 }]);
  });

  it('names file, line, column and value for bad input', () => {
    const bad = (fn: () => unknown): InputError => {
      try { fn(); } catch (e) { return e as InputError; }
      throw new Error('no error thrown');
    };
    const missing = bad(() => parseForecastCsv('timestamp,policy,pool,p10_units,p50_units\n1,a,b,1,2\n', 'forecast.csv'));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toContain('p90_units');
    const nan = bad(() => parseForecastCsv('timestamp,policy,pool,p10_units,p50_units,p90_units\n1,a,b,1,2,3\n2,a,b,1,oops,3\n', 'forecast.csv'));
    expect(nan.message).toMatch(/forecast\.csv:3.*p50_units.*oops/);
    const order = bad(() => parseForecastCsv('timestamp,policy,pool,p10_units,p50_units,p90_units\n1,a,b,5,2,3\n', 'forecast.csv'));
    expect(order.message).toContain('p10_units <= p50_units <= p90_units');
    const kind = bad(() => parseEventsCsv('timestamp,policy,pool,kind,detail\n1,a,b,Spot Interruption,\n', 'events.csv'));
    expect(kind.message).toMatch(/events\.csv:2.*kind.*Spot Interruption/);
    const chains = bad(() => parseAttributionCsv('policy,principal,workflow,chains,cost_usd\np,a,w,1.5,2\n', 'a.csv'));
    expect(chains.message).toMatch(/a\.csv:2.*chains/);
    const quote = bad(() => parseCsvRecords('a\n"open', 'q.csv'));
    expect(quote.message).toMatch(/q\.csv:2/);
  });

  it('turns a forecast into rows per period in capacity units, within the window', () => {
    const rows = forecastRowsFromForecast('prescale', 'web', {
      seriesId: 'web-requests', model: 'm', originSec: 1000, periodSec: 300, mean: [2000, 3000, 4000],
      quantiles: { '0.1': [1000, 2000, 3000], '0.5': [2000, 3000, 4000], '0.9': [5000, 6000, 7000] },
    }, 1000, 1300, 1900);
    expect(rows).toEqual([
      { timestamp: 1300, policy: 'prescale', pool: 'web', p10_units: 1, p50_units: 2, p90_units: 5 },
      { timestamp: 1600, policy: 'prescale', pool: 'web', p10_units: 2, p50_units: 3, p90_units: 6 },
    ]);
    expect(() => forecastRowsFromForecast('p', 'w', { seriesId: 's', model: 'm', originSec: 0, periodSec: 60, mean: [], quantiles: {} }, 0)).toThrow(RangeError);
  });
});
