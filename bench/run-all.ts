/**
 * `npm run bench`: runs every benchmark one after the other (never in parallel: they share the
 * machine's cores and would distort each other's timings). Each writes its own section of
 * docs/benchmarks.md. Pass names to run a subset: `npm run bench -- forecast plan`.
 */
import { spawnSync } from 'node:child_process';

const ALL = ['signals', 'tick-reads', 'forecast', 'predict', 'plan', 'backtest'] as const;
const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? ALL.filter((n) => wanted.includes(n)) : [...ALL];
const unknown = wanted.filter((n) => !(ALL as readonly string[]).includes(n));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(', ')}; expected some of ${ALL.join(', ')}\n`);
  process.exit(2);
}

let failed = 0;
for (const name of names) {
  process.stdout.write(`bench: ${name}\n`);
  const r = spawnSync('npx', ['tsx', `bench/${name}.bench.ts`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${name} failed with exit code ${r.status}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
