import { chromium } from 'playwright-core';
const [file, out, h] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1200, height: Number(h) }, deviceScaleFactor: 1 });
await page.goto('file://' + file);
await page.screenshot({ path: out, fullPage: false });
await browser.close();
