/**
 * `npm run bench:serve`: steps per second through `prescale serve` (HTTP API → chain service → local
 * ASL engine → two in-process pool workers) and trigger latency (POST /chains/{id}/trigger, client
 * side). Two EC2 pools of 2 units each (one worker per pool, 2 steps at once each); every chain is a
 * diamond a → (b, c) → d of the fixtures' `record` task with no sleep, so the figures measure the
 * engine, the runner's polling (pollSec 0.05) and SQLite, not task work. Chains alternate between
 * the pools. `BENCH_EXECUTIONS` (default 40) executions are triggered one after another, then the
 * bench waits until all succeeded.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { serve } from '../src/cli/commands/serve.js';
import { FIXTURES_DIR, baseConfig, recordRef, tempDir } from '../test/fixtures/tasks/service.js';

const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const executions = Number(process.env.BENCH_EXECUTIONS ?? 40);
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method, headers: AUTH, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function main(): Promise<void> {
  const dir = tempDir('prescale-bench-serve-');
  const config = {
    ...baseConfig({
      pools: [{ kind: 'ec2', id: 'w1', markets: ['on-demand'] }, { kind: 'ec2', id: 'w2', markets: ['on-demand'] }],
      availability: { w1: { availableUnits: 2, onDemandUsdPerUnitHour: 0.04 }, w2: { availableUnits: 2, onDemandUsdPerUnitHour: 0.04 } },
      composer: { minFit: 0.5 },
    }),
    taskRoot: FIXTURES_DIR,
  };
  const configPath = join(dir, 'serve.json');
  writeFileSync(configPath, JSON.stringify(config));
  const server = await serve({ config: configPath, port: '0', host: '127.0.0.1', db: join(dir, 'chains.db'), seed: '0', prefetchWorkers: '0' });
  const quiet = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write; // serve's JSON log lines
  try {
    const tasks = [recordRef('a'), recordRef('b', ['a']), recordRef('c', ['a']), recordRef('d', ['b', 'c'])];
    for (const pool of ['w1', 'w2']) {
      const r = await call(server.url, 'POST', '/chains', { chain_id: `bench-${pool}`, pool, tasks });
      if (r.status !== 201) throw new Error(`create chain: ${r.status} ${JSON.stringify(r.json)}`);
    }
    const latenciesMs: number[] = [];
    const ids: Array<{ chain: string; id: string }> = [];
    const t0 = performance.now();
    for (let i = 0; i < executions; i++) {
      const chain = `bench-${i % 2 === 0 ? 'w1' : 'w2'}`;
      const s = performance.now();
      const r = await call(server.url, 'POST', `/chains/${chain}/trigger`, { input: { runsDir: join(dir, 'runs', String(i)) } });
      latenciesMs.push(performance.now() - s);
      if (r.status !== 202 && r.status !== 200 && r.status !== 201) throw new Error(`trigger: ${r.status} ${JSON.stringify(r.json)}`);
      ids.push({ chain, id: String(r.json.execution_id) });
    }
    for (const { chain, id } of ids) {
      for (;;) {
        const e = await call(server.url, 'GET', `/chains/${chain}/executions/${id}`);
        if (e.json.status === 'succeeded') break;
        if (e.json.status === 'failed') throw new Error(`execution ${id} failed: ${JSON.stringify(e.json)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const wallSec = (performance.now() - t0) / 1000;
    const steps = executions * tasks.length;
    process.stderr.write = quiet;
    console.log(JSON.stringify({
      date: new Date().toISOString().slice(0, 10), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version,
      executions, steps, wallSec: +wallSec.toFixed(2), stepsPerSec: +(steps / wallSec).toFixed(1),
      triggerMs: { p50: +quantile(latenciesMs, 0.5).toFixed(1), p99: +quantile(latenciesMs, 0.99).toFixed(1), max: +Math.max(...latenciesMs).toFixed(1) },
    }, null, 2));
  } finally {
    process.stderr.write = quiet;
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
