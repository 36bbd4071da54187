/**
 * End to end (issue 20): a real spawned `prescale serve` whose pools are served on its worker channel
 * to two spawned `prescale worker --serve-url` processes.
 * - A chain's steps run on the workers (the events log says which worker ran each step); `kill -9` of
 *   the worker running a step makes the engine retry that step once on the other worker (heartbeat
 *   timeout), and no finished step runs again.
 * - A spot interruption notice (a fake IMDSv2 server the spot worker polls) in the middle of a step
 *   moves the step to the other variant's pool; a step that waited for the pool's only unit was
 *   prepared by serve into a real Redis and the worker resumes it from there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/core/model/index.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import { EXECUTION_EVENTS_LOG } from '../../src/app/worker/pool-worker.js';
import { baseConfig, FIXTURES_DIR, recordRef, recordTask, tempDir } from '../fixtures/tasks/service.js';
import { startTestRedis, type TestRedis } from '../adapters/redis/redis-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const WORKER_TOKEN = 'worker-token-e2e-000000001';
const children: ChildProcess[] = [];
const servers: Server[] = [];
let redis: TestRedis | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  await redis?.close();
});

interface Proc { readonly child: ChildProcess; log: string }

/** Spawns the CLI from source in one node process (so `kill -9` hits the process that runs the steps). */
function cli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const p: Proc = { child, log: '' };
  child.stderr!.on('data', (d: Buffer) => (p.log += d.toString('utf8')));
  children.push(child);
  return p;
}

async function until<T>(f: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts serve on free ports; resolves with its API and worker channel URLs. */
async function startServe(config: unknown, dir: string, extra: string[] = []): Promise<{ proc: Proc; url: string; channel: string; db: string }> {
  const configPath = join(dir, 'serve.json');
  const db = join(dir, 'chains.db');
  writeFileSync(configPath, JSON.stringify(config));
  const proc = cli(['serve', '--config', configPath, '--port', '0', '--worker-port', '0', '--db', db, ...extra]);
  const m = await until(() => {
    if (proc.child.exitCode !== null) throw new Error(`serve exited: ${proc.log}`);
    return /"url":"(http:[^"]+)".*"workerChannelUrl":"(http:[^"]+)"/.exec(proc.log) ?? undefined;
  }, 60_000, 'serve to listen');
  return { proc, url: m[1], channel: m[2], db };
}

function startWorker(channel: string, configPath: string, args: string[]): Proc {
  return cli(['worker', '--serve-url', channel, '--config', configPath, '--wait-sec', '1', ...args], { PRESCALE_WORKER_TOKEN: WORKER_TOKEN });
}

const polling = (w: Proc): Promise<boolean> => until(() => /prescale worker polling/.test(w.log) || undefined, 60_000, 'the worker to poll');

type Step = { task_id: string; status: string; pool: string; attempts: number; started_at_sec: number; output: { resumedFrom?: string } | null; setup: { outcome: string; saved_sec: number } | null };
type Exec = { status: string; variant: string; steps: Step[]; switches: Array<{ from: string; to: string; reason: string }>; error: unknown };

async function trigger(url: string, chainId: string, body: unknown, input: unknown): Promise<string> {
  const created = await fetch(`${url}/chains`, { method: 'POST', headers: AUTH, body: JSON.stringify({ chain_id: chainId, ...(body as object) }) });
  expect(created.status, await created.clone().text()).toBe(201);
  const t = await fetch(`${url}/chains/${chainId}/trigger`, { method: 'POST', headers: AUTH, body: JSON.stringify({ input }) });
  expect(t.status).toBe(202);
  return ((await t.json()) as { execution_id: string }).execution_id;
}

async function finished(url: string, chainId: string, executionId: string, timeoutMs: number): Promise<Exec> {
  return until(async () => {
    const e = (await (await fetch(`${url}/chains/${chainId}/executions/${executionId}`, { headers: AUTH })).json()) as Exec;
    return e.status === 'succeeded' || e.status === 'failed' ? e : undefined;
  }, timeoutMs, `execution ${executionId} to finish`);
}

/** Lines (pids) of the record-step side file `<runs>/<task>.<kind>`. */
function runs(dir: string, taskId: string, kind: 'start' | 'done' | 'prepared'): string[] {
  const f = join(dir, `${taskId}.${kind}`);
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function events(db: string, chainId: string): Promise<ExecutionEvent[]> {
  const store = new SqliteStateStore(db);
  try {
    return (await store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG)).filter((e) => e.chainId === chainId);
  } finally {
    await store.close();
  }
}

/** Registered record-step tasks with a short p95, so HeartbeatSeconds is the 10 s floor. */
const quick = (id: string, deps: string[] = []) => recordTask(id, deps, { runtime: { meanSec: 3, p50Sec: 3, p95Sec: 8, samplesSec: [] } });

describe('prescale serve with two prescale worker processes', () => {
  it('runs a chain’s steps on the workers; kill -9 mid-step retries that step once on the other worker, finished steps not re-run', async () => {
    const dir = tempDir('prescale-serve-workers-');
    const config = {
      ...baseConfig({ workflows: [{ name: 'line', variants: [{ name: 'od', defaultPool: 'od', tasks: [quick('a'), quick('b', ['a']), quick('c', ['b'])] }] }] }),
      taskRoot: FIXTURES_DIR,
      workerChannel: { remotePools: ['od', 'spot-batch'], tokens: [WORKER_TOKEN] },
    };
    const { url, channel, db } = await startServe(config, dir, ['--prefetch-workers', '0']);
    // The channel refuses anyone without a worker token (and a chain API token is not one).
    const denied = await fetch(`${channel}/v1/pools/od/receive`, { method: 'POST', headers: AUTH, body: JSON.stringify({ max_messages: 1, wait_sec: 0 }) });
    expect(denied.status).toBe(401);
    const w1 = startWorker(channel, join(dir, 'serve.json'), ['--pool', 'od', '--vcpu', '1', '--no-spot-watch', '--instance-id', 'i-worker-1']);
    const w2 = startWorker(channel, join(dir, 'serve.json'), ['--pool', 'od', '--vcpu', '1', '--no-spot-watch', '--instance-id', 'i-worker-2']);
    await Promise.all([polling(w1), polling(w2)]);
    const out = join(dir, 'runs');
    const id = await trigger(url, 'line-1', { workflow: 'line' }, { runsDir: out, sleepMs: 2500 });
    // b starts on one of the workers: kill that process mid-step.
    const pid = await until(() => runs(out, 'b', 'start')[0], 60_000, 'step b to start');
    const victim = [w1, w2].find((w) => String(w.child.pid) === pid)!;
    const survivor = victim === w1 ? w2 : w1;
    expect(victim, `b ran in pid ${pid}, not a worker`).toBeDefined();
    victim.child.kill('SIGKILL');
    const exec = await finished(url, 'line-1', id, 90_000);
    expect(exec.status, JSON.stringify(exec.error)).toBe('succeeded');
    // a ran once (before the kill), b twice (killed, then on the survivor), c once on the survivor.
    expect(runs(out, 'a', 'start')).toHaveLength(1);
    expect(runs(out, 'a', 'done')).toHaveLength(1);
    expect(runs(out, 'b', 'start')).toEqual([pid, String(survivor.child.pid)]);
    expect(runs(out, 'b', 'done')).toEqual([String(survivor.child.pid)]);
    expect(runs(out, 'c', 'start')).toEqual([String(survivor.child.pid)]);
    expect(exec.steps.find((s) => s.task_id === 'b')?.attempts).toBe(2);
    // The events log, written by the workers through the channel, says which worker ran each step.
    const ev = await events(db, 'line-1');
    const ranOn = (taskId: string, kind: ExecutionEvent['kind']) => ev.filter((e) => e.taskId === taskId && e.kind === kind).map((e) => e.instanceId);
    const victimId = victim === w1 ? 'i-worker-1' : 'i-worker-2';
    const survivorId = victim === w1 ? 'i-worker-2' : 'i-worker-1';
    expect(ranOn('b', 'started')).toEqual([victimId, survivorId]);
    expect(ranOn('b', 'finished')).toEqual([survivorId]);
    expect(ranOn('c', 'finished')).toEqual([survivorId]);
    expect(ranOn('a', 'finished')).toHaveLength(1);
    expect(ev.every((e) => e.poolId === 'od')).toBe(true);
  }, 180_000);

  it('a spot notice mid-step moves the step to the other variant; a step that waited for capacity resumes from Redis', async () => {
    redis = await startTestRedis();
    const dir = tempDir('prescale-serve-workers-spot-');
    const tasks = [quick('a'), quick('b', ['a']), quick('c', ['b'])];
    const config = {
      ...baseConfig({
        workflows: [{ name: 'etl', variants: [{ name: 'spot', defaultPool: 'spot-batch', tasks }, { name: 'on-demand', defaultPool: 'od', tasks }] }],
        availability: {
          'spot-batch': { availableUnits: 8, spotUsdPerUnitHour: 0.01, spotInterruptionHazardPerHour: 0.1, onDemandUsdPerUnitHour: 0.04 },
          od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 },
        },
        composer: { minFit: 0.5 },
      }),
      taskRoot: FIXTURES_DIR,
      workerChannel: { remotePools: ['od', 'spot-batch'], tokens: [WORKER_TOKEN] },
    };
    const { url, channel, db } = await startServe(config, dir, ['--prefetch-workers', '1', '--redis-url', redis.url]);
    const imds = { notice: false };
    const imdsUrl = await fakeImds(imds);
    const spot = startWorker(channel, join(dir, 'serve.json'), ['--pool', 'spot-batch', '--vcpu', '2', '--imds-url', imdsUrl, '--spot-poll-sec', '0.2']);
    const od = startWorker(channel, join(dir, 'serve.json'), ['--pool', 'od', '--vcpu', '1', '--no-spot-watch', '--instance-id', 'i-od-1', '--redis-url', redis.url]);
    await Promise.all([polling(spot), polling(od)]);
    const out = join(dir, 'runs');
    const id = await trigger(url, 'etl-1', { workflow: 'etl' }, { runsDir: out, sleepMs: 2500 });
    await until(() => runs(out, 'b', 'start')[0], 60_000, 'step b to start on spot');
    imds.notice = true;
    const exec = await finished(url, 'etl-1', id, 90_000);
    expect(exec.status, JSON.stringify(exec.error)).toBe('succeeded');
    expect(exec.switches.map((s) => `${s.from}->${s.to}`)).toEqual(['spot->on-demand']);
    expect(exec.switches[0].reason).toMatch(/interruption notice/);
    expect(Object.fromEntries(exec.steps.map((s) => [s.task_id, s.pool]))).toEqual({ a: 'spot-batch', b: 'od', c: 'od' });
    expect(runs(out, 'a', 'start')).toEqual([String(spot.child.pid)]);
    expect(runs(out, 'b', 'start')).toEqual([String(spot.child.pid), String(od.child.pid)]);
    expect(runs(out, 'b', 'done')).toEqual([String(od.child.pid)]);
    expect(runs(out, 'c', 'start')).toEqual([String(od.child.pid)]);
    const ev = await events(db, 'etl-1');
    const bEvents = ev.filter((e) => e.taskId === 'b').map((e) => `${e.kind}@${e.instanceId}`);
    expect(bEvents).toEqual(['started@i-0aaaaaaaaaaaaaaa1', 'failed@i-0aaaaaaaaaaaaaaa1', 'started@i-od-1', 'finished@i-od-1']);
    expect(ev.find((e) => e.taskId === 'b' && e.kind === 'failed')?.error).toMatch(/^Prescale\.SpotInterruption/);
    // The spot worker stopped taking work after its notice.
    expect(await until(() => (spot.child.exitCode !== null ? true : undefined), 30_000, 'the spot worker to exit')).toBe(true);

    // Two parallel prepared steps on od (one unit, one worker): the second waits, serve prepares it
    // into Redis, and the worker resumes it from there.
    const out2 = join(dir, 'runs2');
    const pf = await trigger(url, 'pf-1', { tasks: [recordRef('p', [], 'record-prepared'), recordRef('q', [], 'record-prepared')], pool: 'od' }, { runsDir: out2, sleepMs: 3000 });
    const e2 = await finished(url, 'pf-1', pf, 90_000);
    expect(e2.status, JSON.stringify(e2.error)).toBe('succeeded');
    const [first, second] = [...e2.steps].sort((x, y) => x.started_at_sec - y.started_at_sec);
    // The first one ran at once (cold, or resumed when serve prepared it in the moment between its
    // delivery and its start event); the second one waited for the unit and was prepared meanwhile.
    expect(['not-prepared', 'resumed']).toContain(first.setup?.outcome);
    expect(second.setup?.outcome).toBe('resumed');
    expect(second.output?.resumedFrom).toBe(second.task_id);
    expect(runs(out2, second.task_id, 'prepared')).toHaveLength(1);
    expect(runs(out2, second.task_id, 'start')).toEqual([String(od.child.pid)]);
    const resumed = (await events(db, 'pf-1')).find((e) => e.taskId === second.task_id && e.kind === 'finished');
    expect(resumed).toMatchObject({ instanceId: 'i-od-1', setupOutcome: 'resumed' });
  }, 240_000);
});

/** A fake IMDSv2 on a free port: token, instance id, and a spot notice once `state.notice` is set. */
async function fakeImds(state: { notice: boolean }): Promise<string> {
  const srv = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return res.end('tok');
    if (req.headers['x-aws-ec2-metadata-token'] !== 'tok') return res.writeHead(401).end();
    if (req.url === '/latest/meta-data/instance-id') return res.end('i-0aaaaaaaaaaaaaaa1');
    if (req.url === '/latest/meta-data/spot/instance-action') {
      if (!state.notice) return res.writeHead(404).end();
      return res.end(JSON.stringify({ action: 'terminate', time: new Date(Date.now() + 120_000).toISOString() }));
    }
    res.writeHead(404).end();
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
}
