/**
 * The same inputs and seed give byte-identical outputs, report.html included (its footer once held
 * the temporary directory's path with a process id).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { applyFleet } from '../../src/sim/scenario/fleet.js';
import { writeBacktestReportWithHtml } from '../../src/sim/write-report.js';

const root = mkdtempSync(path.join(tmpdir(), 'prescale-repro-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a backtest run twice with the same seed', () => {
  it('writes byte-identical report.html, report.json, report.md and timeline.csv, with no temporary path in them', async () => {
    const sc = () => applyFleet(defaultScenario({ days: 0.2, seed: 7 }), { options: { metricPerVcpu: 900, warmupSec: 60 }, sources: {} });
    const dirs = [path.join(root, 'first'), path.join(root, 'second-run')];
    for (const d of dirs) await writeBacktestReportWithHtml(await runBacktest(sc()), d);
    for (const f of ['report.html', 'report.json', 'report.md', 'timeline.csv', 'events.csv']) {
      const [a, b] = dirs.map((d) => readFileSync(path.join(d, f)));
      expect(a.equals(b), `${f} differs between the runs`).toBe(true);
    }
    const html = readFileSync(path.join(dirs[0], 'report.html'), 'utf8');
    expect(html).not.toContain(root);
    expect(html).not.toMatch(/\.tmp-\d+/);
  });
});
