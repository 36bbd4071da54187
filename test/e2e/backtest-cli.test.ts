/**
 * The `prescale backtest` command as a user runs it: bad input gives one line and a non-zero exit,
 * and leaves no report behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioFromOptions } from '../../src/cli/commands/backtest.js';
import { InputError } from '../../src/core/model/errors.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';
import { diamondTasks, wfDoc15 } from '../builders/wfformat.js';

const dir = mkdtempSync(path.join(tmpdir(), 'prescale-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'backtest', '--no-progress', ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
}

describe('prescale backtest: bad input', () => {
  it('rejects a scenario file failing validation with one line naming the field, and writes nothing', () => {
    const sc = JSON.parse(JSON.stringify(defaultScenario({ days: 1 })));
    sc.demandSignals[0].metricPerUnit = -5;
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(sc));
    const out = path.join(dir, 'out-bad');
    const r = cli(['--scenario', file, '--out', out]);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/bad\.json: demandSignals\[0\]\.metricPerUnit: got -5/);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a non-positive --days', () => {
    const r = cli(['--days', '-2', '--out', path.join(dir, 'x')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--days: got "-2", expected a positive number/);
  });

  it('names an unknown workflow in an arrival', () => {
    const sc = JSON.parse(JSON.stringify(defaultScenario({ days: 1 })));
    sc.arrivals[2].workflow = 'nope';
    expect(() => parseScenario(sc, 'f.json')).toThrow(/f\.json: arrivals\[2\]\.workflow: got "nope"/);
  });

  it('names a dependency cycle in a workflow', () => {
    const sc = JSON.parse(JSON.stringify(defaultScenario({ days: 1 })));
    sc.workflows[0].variants[0].tasks[0].dependencies = ['publish'];
    expect(() => parseScenario(sc, 'f.json')).toThrow(InputError);
    expect(() => parseScenario(sc, 'f.json')).toThrow(/acyclic/);
  });

  it('reports a missing metric file as such, not as a missing --workflows', async () => {
    await expect(scenarioFromOptions({ metrics: ['x.csv'], out: 'o' })).rejects.toThrow(/^--metrics: got "x\.csv", expected an existing metric file/);
  });
});

function metricCsv(file: string, startSec: number, days: number, value = (i: number) => 100 + 50 * Math.sin(i / 30)): void {
  const rows = ['timestamp,value'];
  for (let i = 0; i < days * 288; i++) rows.push(`${startSec + i * 300},${value(i).toFixed(2)}`);
  writeFileSync(file, `${rows.join('\n')}\n`);
}

describe('prescale backtest: the command line', () => {
  it('exits 2 with one line (not the usage) on an unknown flag', () => {
    const r = cli(['--metric-per-cpu', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["prescale backtest: unknown option '--metric-per-cpu' (see prescale backtest --help)"]);
  });

  it('exits 2 with one line for a directory holding no metric file, and accepts a directory that does', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const r = cli(['--metrics', empty, '--out', path.join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`prescale: --metrics: got "${empty}", expected a metric file (CSV or get-metric-data JSON) or a directory holding *.csv or *.json files`]);
    const full = path.join(dir, 'metrics');
    mkdirSync(full);
    metricCsv(path.join(full, 'b.csv'), 1_700_000_000, 3);
    metricCsv(path.join(full, 'a.csv'), 1_700_000_000, 3);
    const sc = await scenarioFromOptions({ metrics: [full], days: '1', out: 'o' });
    expect(sc.series.map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('never suggests --allow-negative (a flag backtest does not have) for a negative value', () => {
    const f = path.join(dir, 'neg.csv');
    writeFileSync(f, 'timestamp,value\n1700000000,5\n1700000300,-1\n');
    const r = cli(['--metrics', f, '--out', path.join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/neg\.csv:3: value: got -1, expected a number >= 0/);
    expect(r.stderr).not.toMatch(/allow-negative/);
  });

  it('names --prices, never an internal key, when the directory lacks the on-demand price file', () => {
    const prices = path.join(dir, 'no-prices');
    mkdirSync(prices);
    const f = path.join(dir, 'ok.csv');
    metricCsv(f, 1_700_000_000, 3);
    const r = cli(['--metrics', f, '--prices', prices, '--out', path.join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--prices: got "no EC2 on-demand price file \(ec2_ondemand_prices_\*\.csv\)"/);
    expect(r.stderr).not.toMatch(/ec2OnDemand/);
  });

  it('states series shifted from other dates onto the run\'s timeline', async () => {
    const a = path.join(dir, 'jan.csv');
    const b = path.join(dir, 'mar.csv');
    metricCsv(a, 1_700_000_000, 3);
    metricCsv(b, 1_700_000_000 + 40 * 86_400, 3);
    const sc = await scenarioFromOptions({ metrics: [a, b], days: '1', out: 'o' });
    // the run follows the first series' own dates; the other is moved onto them and the report says so
    expect(sc.inputNotes.join(' ')).toMatch(/Series mar \(.*mar\.csv\) was shifted by -40\.01 days onto the run's timeline/);
    expect(sc.inputNotes.join(' ')).not.toMatch(/Series jan/);
  });

  it('warns in the assumptions when --prices has no ElastiCache or Spot Advisor file', async () => {
    const prices = path.join(dir, 'od-only');
    mkdirSync(prices);
    writeFileSync(path.join(prices, 'ec2_ondemand_prices_2025-01-01.csv'), 'instance_type,vcpu,memory_gib,arch,current_generation,region,ondemand_usd_per_hour,spot_estimate_usd_per_hour\nm6i.large,2,8,x86_64,true,us-east-1,0.096,0.04\nm6i.xlarge,4,16,x86_64,true,us-east-1,0.192,0.08\nm6i.4xlarge,16,64,x86_64,true,us-east-1,0.768,0.3\n');
    const f = path.join(dir, 'p.csv');
    metricCsv(f, 1_700_000_000, 3);
    const sc = await scenarioFromOptions({ metrics: [f], prices, days: '1', out: 'o' });
    expect(sc.inputNotes.join(' ')).toMatch(/has no ElastiCache price file \(elasticache_ondemand_prices_\*\.csv\): the prefetch state cache is priced from the embedded us-east-1 table/);
    expect(sc.inputNotes.join(' ')).toMatch(/has no Spot Instance Advisor file/);
  });

  it('reads an Azure Functions invocations trace as --arrivals (its shape, stated in the notes)', async () => {
    const az = path.join(dir, 'day_invocations.csv');
    const minutes = Array.from({ length: 1440 }, (_, i) => String(i >= 600 && i < 900 ? 40 : 2));
    writeFileSync(az, `HashOwner,HashApp,HashFunction,Trigger,${minutes.map((_, i) => i + 1).join(',')}\no1,a1,f1,http,${minutes.join(',')}\n`);
    const f = path.join(dir, 'az-metric.csv');
    metricCsv(f, 1_700_000_000, 3);
    const wf = path.join(dir, 'wf');
    mkdirSync(wf);
    writeFileSync(path.join(wf, 'diamond.json'), JSON.stringify(wfDoc15(diamondTasks())));
    const sc = await scenarioFromOptions({ metrics: [f], workflows: [wf], arrivals: az, days: '1', out: 'o' });
    expect(sc.arrivals.length).toBeGreaterThan(0);
    expect(sc.inputNotes.join(' ')).toMatch(/is an Azure Functions trace \(1440 minutes, 14,280 invocations\)/);
    const busy = sc.arrivals.filter((x) => { const m = ((x.atSec % 86_400) / 60); return m >= 600 && m < 900; }).length;
    expect(busy / sc.arrivals.length).toBeGreaterThan(0.5);
  });
});

describe('prescale backtest: real-trace options', () => {
  it('names a missing metric file', async () => {
    await expect(scenarioFromOptions({ metrics: ['no/such.csv'], workflows: ['../shared/data/workflows/pegasus/srasearch'], out: 'o' })).rejects.toThrow(/no\/such\.csv.*an existing metric file/);
  });

  it('builds a scenario from a CloudWatch series, WfFormat traces and an arrivals file', async () => {
    const metric = '../shared/data/cloudwatch/realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv';
    const base = await scenarioFromOptions({ metrics: [metric], workflows: ['../shared/data/workflows/pegasus/srasearch'], days: '1', out: 'o' });
    expect(base.pools.map((p) => p.id)).toEqual(['web', 'batch']);
    expect(base.workflows.length).toBe(4);
    expect(base.arrivals.length).toBeGreaterThan(0);
    const file = path.join(dir, 'arrivals.csv');
    const t = base.startSec;
    writeFileSync(file, `timestamp,workflow,principal\n${t + 60},srasearch,alice\n${t + 120},${base.workflows[0].name},bob\n`);
    const sc = await scenarioFromOptions({ metrics: [metric], workflows: ['../shared/data/workflows/pegasus/srasearch'], arrivals: file, days: '1', out: 'o' });
    expect(sc.arrivals.map((a) => [a.atSec - t, a.principal])).toEqual([[60, 'alice'], [120, 'bob']]);
    expect(sc.arrivals.every((a) => sc.workflows.some((w) => w.name === a.workflow))).toBe(true);
  });
});
