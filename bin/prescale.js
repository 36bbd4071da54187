#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` / `npm install` through the `prepare` script, or by
// `npm run build`). A source checkout without dist/ falls back to the TypeScript sources through tsx,
// which costs a few seconds of transpiling per start.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('prescale: dist/ is missing (run `npm run build`); running the TypeScript sources through tsx\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
