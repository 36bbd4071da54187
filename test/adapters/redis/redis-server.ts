/**
 * Test helper: a real Redis for the tests. Uses `REDIS_URL` when set; otherwise starts `redis-server`
 * on a free port (no persistence) and stops it afterwards. `stop()`/`start()` let a test take Redis
 * away and bring it back on the same port; with `REDIS_URL` the outage is simulated with
 * `CLIENT PAUSE` instead (the server is not ours to stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Redis } from 'ioredis';

/** A Redis the test can use, take away and bring back. */
export interface TestRedis {
  readonly url: string;
  /** True when this helper started the server (so it can really stop it). */
  readonly owned: boolean;
  /** Makes Redis unreachable (stops the server, or pauses all clients for `pauseMs` with REDIS_URL). */
  goAway(pauseMs?: number): Promise<void>;
  /** Brings Redis back (restarts the server on the same port; with REDIS_URL: waits out the pause). */
  comeBack(): Promise<void>;
  /** Deletes every key (between tests). */
  flush(): Promise<void>;
  /** Stops the server if this helper started it. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

let spawnError: Error | undefined;

/** Resolves once something listens on `port` (127.0.0.1). @throws Error when redis-server cannot start or nothing listens in time */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`cannot start redis-server (install it: apt-get install -y redis-server, or set REDIS_URL): ${spawnError.message}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawnServer(port: number): ChildProcess {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  child.once('error', (e) => {
    spawnError = e;
  });
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts (or connects to) a Redis for a test file. */
export async function startTestRedis(): Promise<TestRedis> {
  const admin = (url: string) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const envUrl = process.env.REDIS_URL;
  if (envUrl) {
    let pausedUntil = 0;
    return {
      url: envUrl,
      owned: false,
      async goAway(pauseMs = 3000) {
        const r = admin(envUrl);
        await r.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
        r.disconnect();
        pausedUntil = Date.now() + pauseMs;
      },
      async comeBack() {
        await new Promise((r) => setTimeout(r, Math.max(0, pausedUntil - Date.now()) + 100));
      },
      async flush() {
        const r = admin(envUrl);
        await r.flushdb();
        r.disconnect();
      },
      async close() {},
    };
  }
  const port = await freePort();
  let child: ChildProcess | undefined = spawnServer(port);
  await waitForPort(port);
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    owned: true,
    async goAway() {
      await stopChild(child);
      child = undefined;
    },
    async comeBack() {
      child = spawnServer(port);
      await waitForPort(port);
    },
    async flush() {
      const r = admin(url);
      await r.flushdb();
      r.disconnect();
    },
    async close() {
      await stopChild(child);
    },
  };
}
