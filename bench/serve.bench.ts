/**
 * `npm run bench:serve`: steps per second through `prescale serve` (HTTP API → chain service → local
 * ASL engine → two in-process pool workers) and trigger latency (POST /chains/{id}/trigger, client
 * side). Two EC2 pools of 2 units each (one worker per pool, 2 steps at once each); every chain is a
 * diamond a → (b, c) → d of the fixtures' `record` task with no sleep, so the figures measure the
 * engine, the runner's polling (pollSec 0.05) and SQLite, not task work. Chains alternate between
 * the pools. `BENCH_EXECUTIONS` (default 40) executions are triggered one after another, then the
 * bench waits until all succeeded.
 * `BENCH_WORKERS=processes` runs the steps in two separate `prescale worker --serve-url` processes
 * (one per pool, 2 vCPU each) on serve's worker channel instead of the in-process workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '../src/cli/commands/serve.js';
import { FIXTURES_DIR, baseConfig, recordRef, tempDir } from '../test/fixtures/tasks/service.js';

const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const executions = Number(process.env.BENCH_EXECUTIONS ?? 40);
const remote = process.env.BENCH_WORKERS === 'processes';
const WORKER_TOKEN = 'bench-worker-token-0000001';
const ROOT = resolve(import.meta.dirname, '..');

/** Spawns `prescale worker` for `pool` on the channel; resolves once it polls. */
function worker(channel: string, configPath: string, pool: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'worker', '--pool', pool, '--serve-url', channel, '--config', configPath, '--vcpu', '2', '--no-spot-watch', '--wait-sec', '1'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PRESCALE_WORKER_TOKEN: WORKER_TOKEN },
  });
  let log = '';
  c.once('exit', () => {
    const warns = log.split('\n').filter((l) => l.includes('"level":"warn"')).map((l) => (JSON.parse(l) as { message: string }).message);
    if (warns.length > 0) process.stderr.write(`worker ${pool}: ${warns.length} warnings, first: ${warns[0]}\n`);
  });
  return new Promise((ok, fail) => {
    c.stderr!.on('data', (d: Buffer) => {
      log += d.toString('utf8');
      if (log.includes('prescale worker polling')) ok(c);
    });
    c.once('exit', (code) => fail(new Error(`worker ${pool} exited ${code}: ${log}`)));
  });
}
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
    ...(remote ? { workerChannel: { remotePools: ['w1', 'w2'], tokens: [WORKER_TOKEN] } } : {}),
  };
  const configPath = join(dir, 'serve.json');
  writeFileSync(configPath, JSON.stringify(config));
  const server = await serve({ config: configPath, port: '0', host: '127.0.0.1', db: join(dir, 'chains.db'), seed: '0', prefetchWorkers: '0', workerPort: '0' });
  const workers = remote ? await Promise.all(['w1', 'w2'].map((p) => worker(server.workerChannelUrl!, configPath, p))) : [];
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
      workers: remote ? '2 prescale worker processes (worker channel)' : '2 in-process pool workers',
      executions, steps, wallSec: +wallSec.toFixed(2), stepsPerSec: +(steps / wallSec).toFixed(1),
      triggerMs: { p50: +quantile(latenciesMs, 0.5).toFixed(1), p99: +quantile(latenciesMs, 0.99).toFixed(1), max: +Math.max(...latenciesMs).toFixed(1) },
    }, null, 2));
  } finally {
    process.stderr.write = quiet;
    for (const w of workers) w.kill('SIGTERM');
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
