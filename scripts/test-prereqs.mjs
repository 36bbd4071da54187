#!/usr/bin/env node
/* global process */
// `npm test`'s pretest step: the tests run a real redis-server and Debian's chromium. When either is
// missing and this runs as root on a machine with apt-get (a fresh Debian machine, CI), it installs
// them from Debian's packages, as .ci/run does, saying so. Elsewhere it prints one line saying what to
// install and goes on: the suites that need the server then fail with their own one-line message
// (they never skip). PRESCALE_NO_INSTALL=1 turns installing off. moto and cfn-lint (Python) are
// reported when missing, not installed: CI's Python has them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Whether an executable is on the PATH. */
function onPath(cmd, env = process.env) {
  return (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

/** The Debian packages the tests need and which of them are missing. */
export function missingPackages(env = process.env, has = (cmd) => onPath(cmd, env), exists = existsSync) {
  const missing = [];
  if (!env.REDIS_URL && !has('redis-server')) missing.push('redis-server');
  if (!exists(env.PRESCALE_CHROMIUM ?? '/usr/bin/chromium')) missing.push('chromium');
  return missing;
}

/**
 * What to do about the missing packages: `install` (as root with apt-get) or `tell` (one line).
 * @returns {{ action: 'none' | 'install' | 'tell', line?: string }}
 */
export function prereqPlan(missing, { root, apt, noInstall }) {
  if (missing.length === 0) return { action: 'none' };
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (root && apt && !noInstall) return { action: 'install', line: `pretest: installing ${missing.join(' ')} from Debian's packages (${cmd}), needed by the Redis and HTML report tests` };
  return { action: 'tell', line: `pretest: ${missing.join(' and ')} missing: the tests that need ${missing.length > 1 ? 'them' : 'it'} will fail; install with: ${root ? '' : 'sudo '}${cmd}` };
}

function main() {
  const missing = missingPackages();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const plan = prereqPlan(missing, { root, apt: onPath('apt-get'), noInstall: process.env.PRESCALE_NO_INSTALL === '1' });
  if (plan.line) process.stdout.write(`${plan.line}\n`);
  if (plan.action === 'install') {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env }) : update;
    const still = missingPackages();
    if (install.status !== 0 || still.length > 0) process.stdout.write(`pretest: could not install ${still.join(' ')} (apt-get exit ${install.status}); the tests that need it will fail\n`);
  }
  const py = spawnSync('python3', ['-c', 'import moto, cfnlint'], { stdio: 'ignore' });
  if (py.status !== 0) process.stdout.write('pretest: python3 with moto and cfn-lint not found: the moto-backed AWS tests and cfn-lint checks need them (pip install "moto[server]" cfn-lint)\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
