#!/usr/bin/env node
/* global process */
// Compiles src/ to dist/ (one .js per .ts, ES modules, no bundling) with esbuild, and copies the
// plain-JavaScript files (.mjs workers) beside them, so `bin/prescale.js` starts without a
// TypeScript loader. Runs on `npm ci` / `npm install` (the `prepare` script) and `npm run build`.
// Type checking is `npm run typecheck`'s job (tsc), not this script's.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

const files = walk(src).sort();
const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
rmSync(out, { recursive: true, force: true });
await build({ entryPoints, outdir: out, outbase: src, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
for (const f of files.filter((x) => x.endsWith('.mjs') || x.endsWith('.json'))) {
  const to = join(out, relative(src, f));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(f, to);
}
process.stdout.write(`prescale: compiled ${entryPoints.length} files to ${relative(process.cwd(), out) || 'dist'}/\n`);
