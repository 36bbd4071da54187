import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../src/adapters/report/index.js';
import { runBacktest } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { writeBacktestReport } from '../../src/sim/write-report.js';
import { checkFigures, launchChromium, openReport } from '../unit/report/browser.js';

const OUT = path.resolve('test-output');

describe('report.html of a real short backtest (default scenario, 6 simulated hours)', () => {
  let dir: string;
  let html: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'prescale-report-bt-')), 'backtest');
    const outcome = await runBacktest(defaultScenario({ days: 0.25 }));
    writeBacktestReport(outcome, dir);
    html = await writeHtmlReport(dir);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('draws every chart whose data the backtest wrote and explains the ones it did not', async () => {
    const { page, consoleErrors, requests } = await openReport(browser, html);
    try {
      const figs = await checkFigures(page);
      const byId = new Map(figs.map((f) => [f.id, f]));
      for (const id of ['capacity-web', 'capacity-batch', 'cost-per-hour', 'cumulative-cost', 'spot-share', 'wait', 'next-step']) {
        expect(byId.get(id), id).toMatchObject({ hasSvg: true, missing: false, hasNaN: false });
      }
      for (const f of figs) {
        if (f.missing) {
          expect(f.hasSvg, `${f.id}: a note, never an empty chart`).toBe(false);
          const note = await page.locator(`#${f.id} .missing`).textContent();
          expect(note, f.id).toMatch(/(forecast|events|attribution)\.csv/);
        } else {
          expect(f.expectedColors.length, `${f.id} has series with data`).toBeGreaterThan(0);
          expect([...f.drawnColors].sort(), `${f.id} draws every series`).toEqual([...f.expectedColors].sort());
        }
      }
      const policies = await page.locator('#policies tbody tr td:first-child').allTextContents();
      expect(policies.map((p) => p.trim())).toEqual(['reactive', 'predictive-hourly', 'prescale', 'oracle']);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'report-html-backtest.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('reads as a verdict on the first screen at 1400 px: five answers, four cards, nothing cut off', async () => {
    const { page, consoleErrors } = await openReport(browser, html, 1400);
    try {
      const box = async (sel: string) => (await page.locator(sel).boundingBox())!;
      const answers = await page.locator('#verdict ul.verdict li').allTextContents();
      expect(answers).toHaveLength(5);
      expect(answers[0]).toMatch(/^prescale would cost \$[\d,.]+ a month, [\d.]+% (less|more) than your current policy \(replayed as reactive\)/);
      expect(answers.join(' ')).toMatch(/spot.*on-demand/);
      const cards = await page.locator('#verdict [data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')));
      expect(cards).toEqual(['cost', 'wait', 'unmet', 'spot']);
      const last = await box('#verdict .cards');
      expect(last.y + last.height, 'the cards end inside the first 900 px').toBeLessThan(900);
      for (const c of await page.locator('#verdict [data-card] .big').all()) {
        const b = (await c.boundingBox())!;
        const scrollW = await c.evaluate((e) => e.scrollWidth - e.clientWidth);
        expect(b.width).toBeGreaterThan(0);
        expect(scrollW, 'card figures are not cut off').toBeLessThanOrEqual(0);
      }
      expect(await page.locator('#recommendation pre').count()).toBeGreaterThan(0);
      expect(consoleErrors).toEqual([]);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'report-first-screen-1400.png') });
    } finally {
      await page.close();
    }
  });

  it('sorts the policy table by cost when its header is clicked', async () => {
    const { page } = await openReport(browser, html);
    try {
      await page.locator('#policies thead th').nth(1).locator('button').click();
      const costs = (await page.locator('#policies tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.replace(/[$,]/g, '')));
      expect(costs).toEqual([...costs].sort((a, b) => a - b));
    } finally {
      await page.close();
    }
  });
});
