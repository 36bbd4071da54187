/**
 * Starts a moto server (`python3 -m moto.server`, moto 5.2) on a free port with Step Functions
 * state-machine execution on. Where moto is absent the tests skip with a message, except under
 * CI=true, where they fail (CI must run them).
 *
 * moto 5.2 limitation found by probing: a server process runs ONE execution; a second StartExecution
 * on the same server fails with HTTP 500 (deepcopy of an RLock in moto/stepfunctions/parser/models.py),
 * so every test that starts an execution starts its own server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** True when `python3 -c "import moto.server"` works. */
export const HAVE_MOTO = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;

/** The reason moto tests are skipped, or undefined when they run. @throws Error on CI without moto */
export function motoSkipReason(): string | undefined {
  if (HAVE_MOTO) return undefined;
  if (process.env.CI === 'true') throw new Error('CI=true but moto is not installed (python3 -m pip install "moto[server]"): the real-API engine tests must run on CI');
  return 'moto is not installed (python3 -m moto.server); skipping the real-API Step Functions tests';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running moto server. */
export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts moto and turns on state-machine execution (POST /moto-api/config). */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
