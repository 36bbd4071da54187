import { chromium } from 'playwright-core';
const [file, out, full, y] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
await page.goto('file://' + file);
if (y) await page.evaluate((yy) => window.scrollTo(0, Number(yy)), y);
await page.screenshot({ path: out, fullPage: full === 'full' });
await browser.close();
