/**
 * The `prescale backtest` command as a user runs it: bad input gives one line and a non-zero exit,
 * and leaves no report behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioFromOptions } from '../../src/cli/commands/backtest.js';
import { InputError } from '../../src/core/model/errors.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';

const dir = mkdtempSync(path.join(tmpdir(), 'prescale-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'backtest', ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
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

  it('requires --workflows together with --metrics', async () => {
    await expect(scenarioFromOptions({ metrics: ['x.csv'], out: 'o' })).rejects.toThrow(/--workflows/);
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
