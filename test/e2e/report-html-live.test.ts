import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import { checkFigures, launchChromium, openReport } from '../unit/report/browser.js';
import { LIVE_T0, seedLiveStore } from '../unit/report/live-fixture.js';
import { seedLearning } from '../unit/report/live-learning-fixture.js';

const run = promisify(execFile);

describe('prescale export-report then the HTML report of a live deployment (CLI, headless Chromium)', () => {
  let root: string;
  let out: string;
  let browser: Browser;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'prescale-live-report-'));
    const db = path.join(root, 'state.db');
    const store = new SqliteStateStore(db);
    await seedLiveStore(store);
    await store.close();
    out = path.join(root, 'live');
    await run('npx', ['tsx', 'src/cli/main.ts', 'export-report', '--db', db, '--start', String(LIVE_T0), '--end', new Date((LIVE_T0 + 3 * 3600) * 1000).toISOString(), '--out', out], { cwd: process.cwd() });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('renders the exported window: cost and capacity charts drawn, forecast charts replaced by notes, attribution table present', async () => {
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    const { page, consoleErrors, requests } = await openReport(browser, path.join(out, 'report.html'));
    try {
      const figs = new Map((await checkFigures(page)).map((f) => [f.id, f]));
      for (const id of ['capacity-batch', 'cost-per-hour', 'cumulative-cost', 'spot-share', 'events']) {
        const f = figs.get(id)!;
        expect(f, id).toMatchObject({ hasSvg: true, missing: false, hasNaN: false });
        expect([...f.drawnColors].sort(), id).toEqual([...f.expectedColors].sort());
      }
      expect(figs.get('forecast-error')).toMatchObject({ hasSvg: false, missing: true });
      expect(await page.locator('#attribution tbody tr').count()).toBe(2);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync('test-output', { recursive: true });
      await page.screenshot({ path: path.join('test-output', 'report-html-live.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('rejects a missing database with a one-line error and exit code 2', async () => {
    const err = await run('npx', ['tsx', 'src/cli/main.ts', 'export-report', '--db', path.join(root, 'nope.db'), '--out', path.join(root, 'x')], { cwd: process.cwd() }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/nope\.db.*existing SQLite state store/);
  });
});

describe('prescale export-report of a deployment whose controller saved its learning loop (CLI, headless Chromium; issue 22)', () => {
  let root: string;
  let out: string;
  let browser: Browser;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'prescale-live-learning-'));
    const db = path.join(root, 'state.db');
    const store = new SqliteStateStore(db);
    await seedLiveStore(store);
    await seedLearning(store);
    await store.close();
    out = path.join(root, 'live');
    await run('npx', ['tsx', 'src/cli/main.ts', 'export-report', '--db', db, '--start', String(LIVE_T0), '--end', new Date((LIVE_T0 + 4 * 3600) * 1000).toISOString(), '--out', out], { cwd: process.cwd() });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('draws the reliability curve with the Brier score per hour, and bundles against single steps, every series in its color', async () => {
    const { page, consoleErrors, requests } = await openReport(browser, path.join(out, 'report.html'));
    try {
      const figs = new Map((await checkFigures(page)).map((f) => [f.id, f]));
      for (const id of ['calibration', 'bundles']) {
        const f = figs.get(id)!;
        expect(f, id).toMatchObject({ hasSvg: true, missing: false, hasNaN: false });
        expect([...f.drawnColors].sort(), id).toEqual([...f.expectedColors].sort());
      }
      expect(await page.locator('#bundles').textContent()).toMatch(/bundle members: 10 prepared and settled, 8 hits \(80\.0 %\)/);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync('test-output', { recursive: true });
      await page.screenshot({ path: path.join('test-output', 'report-html-live-learning.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
