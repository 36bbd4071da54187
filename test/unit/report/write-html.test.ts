import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/model/errors.js';
import { writeHtmlReport } from '../../../src/adapters/report/index.js';
import { writeFixtureDir } from './fixture.js';

describe('writeHtmlReport (echarts SVG rendering to report.html)', () => {
  let dir: string;
  beforeAll(async () => { dir = (await writeFixtureDir(mkdtempSync(path.join(tmpdir(), 'prescale-write-html-')))).dir; });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.html next to report.json with one inline SVG per chart, byte-identical on a second run', async () => {
    const file = await writeHtmlReport(dir);
    expect(file).toBe(path.join(dir, 'report.html'));
    const first = readFileSync(file, 'utf8');
    expect(first.match(/<svg role="img"/g)).toHaveLength(10);
    const ids = [...first.matchAll(/<svg role="img"[^>]*>/g)].length;
    expect(ids).toBe(10);
    expect(first).not.toMatch(/\bzr\d+-/);
    await writeHtmlReport(dir);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('writes to --out when given', async () => {
    const out = path.join(dir, 'elsewhere.html');
    expect(await writeHtmlReport(dir, { outFile: out })).toBe(out);
    expect(readFileSync(out, 'utf8').startsWith('<!doctype html>')).toBe(true);
  });

  it('fails with an InputError naming the file when report.json is missing or broken', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'prescale-write-html-empty-'));
    try {
      await expect(writeHtmlReport(empty)).rejects.toThrow(InputError);
      await expect(writeHtmlReport(empty)).rejects.toThrow(/report\.json/);
      writeFileSync(path.join(empty, 'report.json'), JSON.stringify({ schemaVersion: 1, scenario: {}, policies: [], assumptions: [] }));
      await expect(writeHtmlReport(empty)).rejects.toThrow(/report\.json.*scenario\.name/);
      await expect(writeHtmlReport(path.join(empty, 'nope'))).rejects.toThrow(/report directory/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
