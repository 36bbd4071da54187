/**
 * Test helper: a real two-shard Redis cluster (cluster mode enabled, no replicas), like an ElastiCache
 * cluster-mode group of two shards: two `redis-server --cluster-enabled yes` on free ports, slots
 * 0–8191 on the first and 8192–16383 on the second, joined with CLUSTER MEET.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitForPort } from './redis-server.js';

/** A running two-shard cluster. */
export interface TestRedisCluster {
  /** URL of the first node (a client discovers the others from it). */
  readonly url: string;
  readonly ports: readonly [number, number];
  /** Deletes every key on both shards. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the cluster and waits until it reports `cluster_state:ok`. */
export async function startTestRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-redis-cluster-'));
  const ports = [await freePort(), await freePort()] as const;
  const children: ChildProcess[] = ports.map((port, i) => spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${i}.conf`),
  ], { stdio: 'ignore' }));
  for (const p of ports) await waitForPort(p);
  const admin = ports.map((p) => new Redis(p, '127.0.0.1', { maxRetriesPerRequest: 1 }));
  // CLUSTER ADDSLOTS with every slot (ADDSLOTSRANGE needs Redis 7)
  const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
  await admin[0].call('CLUSTER', 'ADDSLOTS', ...range(0, 8191));
  await admin[1].call('CLUSTER', 'ADDSLOTS', ...range(8192, 16383));
  await admin[0].call('CLUSTER', 'MEET', '127.0.0.1', String(ports[1]));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const infos = await Promise.all(admin.map((a) => a.call('CLUSTER', 'INFO') as Promise<string>));
    if (infos.every((i) => i.includes('cluster_state:ok') && /cluster_known_nodes:2/.test(i))) break;
    if (Date.now() > deadline) throw new Error('the test Redis cluster did not reach cluster_state:ok');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    async flush() {
      await Promise.all(admin.map((a) => a.flushall()));
    },
    async close() {
      admin.forEach((a) => a.disconnect());
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
