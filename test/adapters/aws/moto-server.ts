/**
 * Starts a moto server (python3 -m moto.server, a faithful AWS API emulator) on a free port for one
 * test file. Without python3 or moto: `motoMissing` says why, the tests skip with that message, and on
 * CI (`CI=true`) importing this module throws instead, so a CI run without moto fails clearly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** Why moto cannot run here, or undefined when it can. */
export const motoMissing: string | undefined = (() => {
  const r = spawnSync('python3', ['-c', 'import moto, moto.server; print(moto.__version__)'], { encoding: 'utf8' });
  if (r.error) return `python3 not found (${r.error.message}); install python3 and pip install "moto[server]"`;
  if (r.status !== 0) return `moto server not importable: ${r.stderr.trim().split('\n').pop()}; pip install "moto[server]"`;
  return undefined;
})();

if (motoMissing && process.env.CI === 'true') throw new Error(`moto is required on CI: ${motoMissing}`);
if (motoMissing) console.warn(`skipping moto-backed tests: ${motoMissing}`);

/** A running moto server. */
export interface Moto {
  readonly endpoint: string;
  /** SDK client settings for it. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Starts moto and waits until it answers (at most 30 s). */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${stderr.slice(-500)}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { child.kill(); throw new Error(`moto did not start on ${endpoint}: ${stderr.slice(-500)}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
