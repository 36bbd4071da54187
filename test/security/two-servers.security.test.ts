/**
 * Two real `prescale serve` processes on one SQLite file (issue 15, item 4): the execution lease
 * keeps the second from running what the first runs, and lets it take over only once the first is
 * dead and its lease expired.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseConfig, FIXTURES_DIR, recordRef, tempDir } from '../fixtures/tasks/service.js';
import { call, startServe, type ServeProcess } from './serve-process.js';

const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const started: ServeProcess[] = [];
afterEach(() => {
  for (const s of started.splice(0)) s.kill();
});
const count = (dir: string, file: string): number => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').length : 0);
type Exec = { status: string; steps: Array<{ task_id: string; status: string }> };

describe('two prescale serve processes on one SQLite file', () => {
  it('never run the same step; the survivor takes over after the other is killed and its lease expires', async () => {
    const work = tempDir('prescale-two-servers-');
    const runs = join(work, 'runs');
    const configPath = join(work, 'serve.json');
    const dbPath = join(work, 'chains.db');
    // leaseSec 2: renewed every 0.67 s; the second server's resume sweep also runs every 2 s.
    writeFileSync(configPath, JSON.stringify({ ...baseConfig(), taskRoot: FIXTURES_DIR, pollSec: 0.1, leaseSec: 2 }));
    const first = await startServe(configPath, dbPath);
    started.push(first);
    // Eight 4 s steps: long enough for the second server to start (slowly, on a loaded machine) while the first runs them.
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const tasks = ids.map((id, i) => recordRef(id, i === 0 ? [] : [ids[i - 1]]));
    expect((await call(first.url, 'POST', '/chains', AUTH, { chain_id: 'two-1', pool: 'od', tasks })).status).toBe(201);
    const trig = await call(first.url, 'POST', '/chains/two-1/trigger', AUTH, { input: { runsDir: runs, sleepMs: 4000 } });
    const path = `/chains/two-1/executions/${String(trig.json.execution_id)}`;
    // The second server starts while the first runs the execution: its start-up resume finds it running.
    const second = await startServe(configPath, dbPath);
    started.push(second);
    const upSince = Date.now();
    // Let the second's resume sweep (every leaseSec) try the execution at least twice while the first runs it.
    let inFlight: string | undefined;
    for (let i = 0; ; i++) {
      const e = (await call(second.url, 'GET', path, AUTH)).json as unknown as Exec;
      if (e.status !== 'running') throw new Error(`execution ended before the second server had swept: ${e.status}`);
      const running = e.steps.find((s) => s.status === 'running' && count(runs, `${s.task_id}.start`) === 1 && count(runs, `${s.task_id}.done`) === 0);
      if (running && Date.now() - upSince > 4500) {
        inFlight = running.task_id;
        break;
      }
      if (i > 2000) throw new Error(`no step in flight: ${JSON.stringify(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const id of ids) expect([id, count(runs, `${id}.start`) <= 1]).toEqual([id, true]);
    first.kill();
    let final: Exec | undefined;
    for (let i = 0; i < 1200; i++) {
      final = (await call(second.url, 'GET', path, AUTH)).json as unknown as Exec;
      if (final.status === 'succeeded' || final.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(final?.status).toBe('succeeded');
    // Every step done once; the step in flight when the first died was restarted by the second, the others started once.
    const k = ids.indexOf(inFlight!);
    for (const [i, id] of ids.entries()) expect([id, count(runs, `${id}.start`), count(runs, `${id}.done`)]).toEqual([id, i === k ? 2 : 1, 1]);
    const pids = (f: string) => readFileSync(join(runs, f), 'utf8').trim().split('\n');
    expect(pids('a.start')[0]).not.toBe(pids('h.start')[0]);
  }, 400_000);
});
