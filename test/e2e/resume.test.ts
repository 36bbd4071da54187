import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseConfig, FIXTURES_DIR, recordRef, tempDir } from '../fixtures/tasks/service.js';

const AUTH = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const started: ChildProcess[] = [];

/** Starts `prescale serve` in its own process group; resolves with its URL once listening. */
function startServer(configPath: string, dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'serve', '--config', configPath, '--port', '0', '--db', dbPath], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)"/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const count = (dir: string, file: string): number => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').length : 0);

afterEach(() => {
  for (const c of started.splice(0)) killGroup(c);
});

describe('resume after a killed server', () => {
  it('continues the execution after kill -9 and a restart without re-running finished steps', async () => {
    const work = tempDir('prescale-resume-');
    const runs = join(work, 'runs');
    const configPath = join(work, 'serve.json');
    const dbPath = join(work, 'chains.db');
    writeFileSync(configPath, JSON.stringify({ ...baseConfig(), taskRoot: FIXTURES_DIR, pollSec: 0.1, leaseSec: 2 }));

    const first = await startServer(configPath, dbPath);
    const created = await fetch(`${first.url}/chains`, { method: 'POST', headers: AUTH, body: JSON.stringify({ chain_id: 'resume-1', tasks: [recordRef('a'), recordRef('b', ['a']), recordRef('c', ['b'])], pool: 'od' }) });
    expect(created.status).toBe(201);
    const trig = (await (await fetch(`${first.url}/chains/resume-1/trigger`, { method: 'POST', headers: AUTH, body: JSON.stringify({ input: { runsDir: runs, sleepMs: 3000 } }) })).json()) as { execution_id: string };
    const execPath = `/chains/resume-1/executions/${trig.execution_id}`;
    type Exec = { status: string; steps: Array<{ task_id: string; status: string }> };
    const stepStatus = (e: Exec, id: string) => e.steps.find((s) => s.task_id === id)?.status;
    for (let i = 0; ; i++) {
      const e = (await (await fetch(`${first.url}${execPath}`, { headers: AUTH })).json()) as Exec;
      // 'running' is persisted before the step's module has loaded; kill only once b has really started.
      if (stepStatus(e, 'a') === 'succeeded' && stepStatus(e, 'b') === 'running' && count(runs, 'b.start') === 1) break;
      if (i > 400) throw new Error(`never saw a succeeded and b started: ${JSON.stringify(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    killGroup(first.child);
    expect(count(runs, 'c.start')).toBe(0);

    const second = await startServer(configPath, dbPath);
    let final: Exec | undefined;
    for (let i = 0; i < 600; i++) {
      final = (await (await fetch(`${second.url}${execPath}`, { headers: AUTH })).json()) as Exec;
      if (final.status === 'succeeded' || final.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(final?.status).toBe('succeeded');
    expect(count(runs, 'a.start')).toBe(1);
    expect(count(runs, 'a.done')).toBe(1);
    expect(count(runs, 'b.done')).toBe(1);
    expect(count(runs, 'c.done')).toBe(1);
    expect(count(runs, 'c.start')).toBe(1);
    // b was in flight when the process died: it started again, but completed only once.
    expect(count(runs, 'b.start')).toBe(2);
  }, 240_000);
});
