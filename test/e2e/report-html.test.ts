/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFigures, columnTexts, launchChromium, openReport } from '../unit/report/browser.js';
import { writeFixtureDir } from '../unit/report/fixture.js';

const run = promisify(execFile);
const OUT = path.resolve('test-output');

describe('prescale report (HTML, in headless Chromium)', () => {
  let dir: string;
  let html: string;
  let browser: Browser;
  let stdout: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'prescale-report-html-'));
    await writeFixtureDir(dir);
    html = path.join(dir, 'out', 'page.html');
    mkdirSync(path.dirname(html), { recursive: true });
    ({ stdout } = await run('npx', ['tsx', 'src/cli/main.ts', 'report', '--from', dir, '--out', html], { cwd: process.cwd(), maxBuffer: 1 << 24 }));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one self-contained file: no external scripts, stylesheets, fonts or images', () => {
    expect(stdout).toContain(`wrote ${html}`);
    const text = readFileSync(html, 'utf8');
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:|<img /i);
    expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('renders every chart as SVG with each data series drawn, without console errors or network requests', async () => {
    const { page, consoleErrors, requests } = await openReport(browser, html);
    try {
      const figs = await checkFigures(page);
      expect(figs.map((f) => f.id)).toEqual(['capacity-web', 'capacity-batch', 'cost-per-hour', 'cumulative-cost', 'spot-share', 'wait', 'forecast-error', 'next-step', 'calibration', 'events']);
      for (const f of figs) {
        expect(f, f.id).toMatchObject({ hasSvg: true, missing: false, hasNaN: false });
        expect(f.expectedColors.length, `${f.id} has series with data`).toBeGreaterThan(0);
        expect([...f.drawnColors].sort(), `${f.id} draws every series`).toEqual([...f.expectedColors].sort());
        expect(f.svgWidthPx, `${f.id} fits a laptop-width page`).toBeLessThanOrEqual(1366);
      }
      expect(await page.locator('.missing').count()).toBe(0);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'report-html-fixture.png'), fullPage: true });
      expect(statSync(path.join(OUT, 'report-html-fixture.png')).size).toBeGreaterThan(10_000);
    } finally {
      await page.close();
    }
  });

  it('summarises prescale against each policy with money saved per day and month, and the assumptions', async () => {
    const { page } = await openReport(browser, html);
    try {
      const cards = await page.locator('.card[data-policy]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-policy'), e.textContent ?? '']));
      expect(cards.map((c) => c[0])).toEqual(['reactive', 'predictive-hourly', 'oracle']);
      for (const [, text] of cards) expect(text).toMatch(/\d\.\d\d×/);
      expect(cards[0][1]).toMatch(/Saves \$[\d,.]+\/day · \$[\d,.]+\/month/);
      const assumptions = await page.locator('#assumptions').textContent();
      expect(assumptions).toContain('2024-04');
      expect(assumptions).toMatch(/Lead times[\s\S]*60–180 s/);
      expect(assumptions).toMatch(/Interruption hazards[\s\S]*Poisson/);
    } finally {
      await page.close();
    }
  });

  it('sorts the attribution table when a header is clicked, and reverses on a second click', async () => {
    const { page, consoleErrors } = await openReport(browser, html);
    try {
      const costCol = 4;
      const header = page.locator('#attribution thead th').nth(costCol);
      await header.locator('button').click();
      const asc = (await columnTexts(page, 'attribution', costCol)).map((t) => Number(t.replace(/[$,]/g, '')));
      expect(asc).toEqual([...asc].sort((a, b) => a - b));
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
      await header.locator('button').click();
      const desc = (await columnTexts(page, 'attribution', costCol)).map((t) => Number(t.replace(/[$,]/g, '')));
      expect(desc).toEqual([...asc].reverse());
      const principal = page.locator('#attribution thead th').nth(1);
      await principal.locator('button').click();
      const names = await columnTexts(page, 'attribution', 1);
      expect(names).toEqual([...names].sort());
      expect(consoleErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('prints: the print stylesheet keeps charts whole and the page produces a PDF', async () => {
    const { page } = await openReport(browser, html);
    try {
      await page.emulateMedia({ media: 'print' });
      const breakInside = await page.locator('figure.chart').first().evaluate((el) => getComputedStyle(el).breakInside);
      expect(breakInside).toBe('avoid');
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    } finally {
      await page.close();
    }
  });

  it('stays readable at a narrow laptop width: no horizontal page scroll', async () => {
    const { page } = await openReport(browser, html, 1024);
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await page.close();
    }
  });
});
