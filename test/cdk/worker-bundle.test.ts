/**
 * The worker bundle the stack ships (cdk/lib/worker-bundle.ts): esbuild bundles `prescale worker` into
 * one ES module that runs on plain Node 22 without node_modules (as on a pool instance).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorker, WORKER_BUNDLE_FILE } from '../../cdk/lib/worker-bundle.js';

describe('worker bundle', () => {
  it('runs `prescale worker --help` and rejects a bad queue URL with exit 2, from a directory with no node_modules', () => {
    const built = bundleWorker(mkdtempSync(join(tmpdir(), 'prescale-bundle-')));
    const alone = join(mkdtempSync(join(tmpdir(), 'prescale-instance-')), WORKER_BUNDLE_FILE);
    copyFileSync(built, alone);
    const help = spawnSync(process.execPath, [alone, 'worker', '--help'], { encoding: 'utf8', cwd: tmpdir() });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--redis-auth-secret');
    const bad = spawnSync(process.execPath, [alone, 'worker', '--pool', 'web', '--queue-url', 'not-a-url', '--no-spot-watch'], { encoding: 'utf8', cwd: tmpdir() });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--queue-url');
  }, 120_000);
});
