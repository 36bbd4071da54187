/**
 * Takes the README's screenshot of a report: `npx tsx scripts/screenshot-report.ts [DIR] [OUT.png]`
 * (defaults: out/backtest, docs/img/report.png): the first screen at 1400 × 900 px, the verdict. Needs Debian's chromium at /usr/bin/chromium
 * (or PRESCALE_CHROMIUM) and a report.html in DIR (`npm start` writes one).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const dir = resolve(process.argv[2] ?? 'out/backtest');
const out = resolve(process.argv[3] ?? 'docs/img/report.png');
const browser = await chromium.launch({
  executablePath: process.env.PRESCALE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pathToFileURL(`${dir}/report.html`).href);
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
