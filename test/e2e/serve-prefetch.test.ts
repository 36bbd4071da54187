import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfig, FIXTURES_DIR, recordRef, tempDir } from '../fixtures/tasks/service.js';
import { startTestRedis, type TestRedis } from '../adapters/redis/redis-server.js';

const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
let redis: TestRedis;
let server: ChildProcess | undefined;
let log = '';

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  if (server?.pid) process.kill(-server.pid, 'SIGKILL');
  await redis.close();
});

/** Starts `prescale serve` with the state cache in the test Redis; resolves with its URL. */
function startServer(configPath: string): Promise<string> {
  server = spawn('npx', ['tsx', 'src/cli/main.ts', 'serve', '--config', configPath, '--port', '0', '--db', ':memory:', '--prefetch-workers', '1', '--redis-url', redis.url], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    server!.stderr!.on('data', (d: Buffer) => {
      log += d.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (m) resolve(m[1]);
    });
    server!.on('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
  });
}

describe('prescale serve with a Redis state cache', () => {
  it('prepares the step that waits for the pool\'s only unit in a worker and resumes it from Redis', async () => {
    const work = tempDir('prescale-serve-prefetch-');
    const configPath = join(work, 'serve.json');
    writeFileSync(configPath, JSON.stringify({ ...baseConfig({ availability: { od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 } }, composer: { minFit: 0.5 } }), taskRoot: FIXTURES_DIR, pollSec: 0.05 }));
    const url = await startServer(configPath);
    expect(log).toMatch(/"stateCache":"redis"/);
    const prepared = (id: string) => recordRef(id, [], 'record-prepared');
    const created = await fetch(`${url}/chains`, { method: 'POST', headers: AUTH, body: JSON.stringify({ chain_id: 'pf-1', tasks: [prepared('b'), prepared('c')], pool: 'od' }) });
    expect(created.status).toBe(201);
    const trig = (await (await fetch(`${url}/chains/pf-1/trigger`, { method: 'POST', headers: AUTH, body: JSON.stringify({ input: { runsDir: join(work, 'runs'), sleepMs: 4000 } }) })).json()) as { execution_id: string };
    type Step = { task_id: string; started_at_sec: number; output: { resumedFrom?: string } | null; setup: { outcome: string; saved_sec: number } | null };
    let exec: { status: string; steps: Step[] } | undefined;
    for (let i = 0; i < 400; i++) {
      exec = (await (await fetch(`${url}/chains/pf-1/executions/${trig.execution_id}`, { headers: AUTH })).json()) as typeof exec;
      if (exec!.status === 'succeeded' || exec!.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(exec?.status).toBe('succeeded');
    const [first, second] = [...exec!.steps].sort((x, y) => x.started_at_sec - y.started_at_sec);
    expect(first.setup).toEqual({ outcome: 'not-prepared', saved_sec: 0 });
    expect(second.setup?.outcome).toBe('resumed');
    expect(second.output?.resumedFrom).toBe(second.task_id);
  }, 120_000);
});
