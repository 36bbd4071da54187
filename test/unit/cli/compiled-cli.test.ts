/**
 * The shipped CLI runs compiled JavaScript: `npm ci` / `npm install` run the `prepare` script, which
 * compiles src/ to dist/, and bin/prescale.js imports dist/ (no TypeScript loader at start). Start
 * time itself is a benchmark (docs/benchmarks.md), not a timed test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { summariseSignals } from '../../../src/cli/commands/signals.js';
import { tempFiles } from '../../adapters/files/tmp-files.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; scripts: Record<string, string>; bin: Record<string, string> };

const { write } = tempFiles('compiled-cli');

describe('the compiled CLI', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('is built on install (prepare) and by npm run build, and npm start runs it', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(pkg.scripts.start).toMatch(/node bin\/prescale\.js backtest$/);
    expect(pkg.bin.prescale).toBe('bin/prescale.js');
    expect(existsSync('dist/cli/main.js')).toBe(true);
    expect(existsSync('dist/adapters/workers/prepare-worker.mjs')).toBe(true);
  });

  it('prints its version from dist/ without loading tsx or any command module', () => {
    // a module-resolution hook that logs every module the process loads
    const hooks = write('hooks.mjs', 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`resolved ${r.url}\\n`); return r; }\n');
    const reg = write('reg.mjs', `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(reg).href, 'bin/prescale.js', '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('resolved '));
    expect(loaded.some((l) => l.includes('/dist/cli/main.js'))).toBe(true);
    expect(loaded.filter((l) => /node_modules\/tsx\/|\/src\/cli\/|\/dist\/cli\/commands\/(?!index\.js)|@aws-sdk/.test(l))).toEqual([]);
  });

  it('exits 2 with one line for an unknown command or flag', () => {
    const r = spawnSync(process.execPath, ['bin/prescale.js', 'signals', '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["prescale signals: unknown option '--bogus' (see prescale signals --help)"]);
  });
});

describe('prescale signals takes directories where it takes files', () => {
  it('reads every metric file under a directory, in name order', async () => {
    const m = path.join(tempFiles('signals-dirs').dir(), 'm');
    mkdirSync(m);
    writeFileSync(path.join(m, 'b.csv'), 'timestamp,value\n0,1\n60,2\n');
    writeFileSync(path.join(m, 'a.csv'), 'timestamp,value\n0,3\n60,4\n');
    writeFileSync(path.join(m, 'notes.txt'), 'not a metric file');
    const s = await summariseSignals({ metrics: [m] });
    expect(s.series.map((x) => x.id)).toEqual(['a', 'b']);
    await expect(summariseSignals({ metrics: [path.join(m, 'nope')] })).rejects.toThrow(/^--metrics: got ".*nope", expected an existing metric file/);
  });
});
