/// <reference lib="dom" />
/**
 * Opens a generated report.html in headless Chromium (Debian's `chromium`, driven by playwright-core)
 * and measures what the report tests assert: every chart figure's SVG and the series drawn in it,
 * notes shown instead of charts, console errors, network requests, and table sorting.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where CI's Debian chromium lives (`.ci/run` installs the package when missing). */
export const CHROMIUM_PATH = process.env.PRESCALE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium.
 * @throws Error with install instructions when the executable is missing (the test must fail, not skip)
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set PRESCALE_CHROMIUM to its path; the HTML report test needs a real browser.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** One figure as the browser sees it. */
export interface FigureCheck {
  readonly id: string;
  readonly hasSvg: boolean;
  /** Whether a "missing data" note replaces the chart. */
  readonly missing: boolean;
  /** Series colours the page says have data (data-colors). */
  readonly expectedColors: string[];
  /** Of those, colours with at least one drawn shape (non-degenerate box below the legend). */
  readonly drawnColors: string[];
  readonly svgWidthPx: number;
  readonly hasNaN: boolean;
}

/** What the page did while loading. */
export interface PageCheck {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly requests: string[];
}

/** Opens `file` (absolute path) at laptop width, recording console errors and any non-file request. */
export async function openReport(browser: Browser, file: string, widthPx = 1366): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: widthPx, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, consoleErrors, requests };
}

/** Every figure's check, in page order. */
export async function checkFigures(page: Page): Promise<FigureCheck[]> {
  return page.$$eval('figure.chart', (figs) => figs.map((fig) => {
    const svg = fig.querySelector('svg');
    const expected = (fig.getAttribute('data-colors') ?? '').split(' ').filter(Boolean).map((c) => c.toLowerCase());
    const drawn = new Set<string>();
    if (svg) {
      const top = svg.getBoundingClientRect().top;
      const scale = svg.getBoundingClientRect().width / (svg.viewBox.baseVal?.width || 1);
      for (const el of Array.from(svg.querySelectorAll('path, rect, circle, polygon, polyline'))) {
        const color = [el.getAttribute('stroke'), el.getAttribute('fill')].map((c) => (c ?? '').toLowerCase()).find((c) => expected.includes(c));
        if (!color) continue;
        const box = el.getBoundingClientRect();
        const belowLegend = (box.bottom - top) / scale > 36;
        if (belowLegend && (box.width > 1 || box.height > 1)) drawn.add(color);
      }
    }
    return {
      id: fig.id,
      hasSvg: !!svg,
      missing: !!fig.querySelector('.missing'),
      expectedColors: expected,
      drawnColors: [...drawn],
      svgWidthPx: svg ? svg.getBoundingClientRect().width : 0,
      hasNaN: svg ? /NaN|undefined/.test(svg.outerHTML) : false,
    };
  }));
}

/** Text of column `col` (0-based) of table `#id`'s body, top to bottom. */
export async function columnTexts(page: Page, id: string, col: number): Promise<string[]> {
  return page.$$eval(`#${id} tbody tr`, (rows, c) => rows.map((r) => (r as HTMLTableRowElement).cells[c as number].textContent!.trim()), col);
}
