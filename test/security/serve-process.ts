/** Spawns `prescale serve` the way the e2e tests do (tsx, port 0, its own process group) for the security suite. */
import { spawn, type ChildProcess } from 'node:child_process';

/** A running server. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote on stderr so far. */
  log(): string;
  /** SIGKILL to its process group. */
  kill(): void;
}

/** Starts `prescale serve --config <configPath> --db <dbPath> --port 0`; resolves once listening. */
export function startServe(configPath: string, dbPath: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'serve', '--config', configPath, '--port', '0', '--db', dbPath, '--prefetch-workers', '0', ...extraArgs], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const kill = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)"/.exec(err);
      if (m) resolve({ child, url: m[1], log: () => err, kill });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

/** Runs `prescale serve` on a config expected to be refused; resolves with its exit code and stderr. */
export function serveExit(configPath: string, dbPath: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'serve', '--config', configPath, '--port', '0', '--db', dbPath, '--prefetch-workers', '0'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err });
    });
  });
}

/** A JSON request; the parsed body (or text) with status and headers. */
export async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown | string): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, headers: res.headers, json };
}
