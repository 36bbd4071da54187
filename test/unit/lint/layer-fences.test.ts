/**
 * Probes of the layer fences in eslint.config.js (DESIGN.md rules 1 and 4): each lints a small file
 * placed in a layer and expects the fence's error, and the same code where it is allowed to pass.
 * The core's own fence is probed in test/unit/core/purity-lint.test.ts.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** Rule ids (or messages) ESLint reports for `code` as if it were the file at `path`. */
async function lintAs(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

const FENCE_RULES = ['no-restricted-imports', 'no-restricted-globals', 'no-restricted-properties', 'no-restricted-syntax'];
const fenceErrors = (rules: string[]): string[] => rules.filter((r) => FENCE_RULES.includes(r));

describe('the ports fence: ports import only core/model', () => {
  it.each([
    ['core/plan', "import type { Planner } from '../core/plan/types.js';\nexport type P = Planner;\n"],
    ['core/forecast', "import type { Forecaster } from '../core/forecast/types.js';\nexport type F = Forecaster;\n"],
    ['core/compose', "import type { X } from '../core/compose/index.js';\nexport type C = X;\n"],
    ['core/market', "import type { X } from '../core/market/index.js';\nexport type M = X;\n"],
    ['core/registry', "import type { X } from '../core/registry/index.js';\nexport type R = X;\n"],
    ['app', "import type { X } from '../app/tick.js';\nexport type A = X;\n"],
    ['adapters', "import type { X } from '../adapters/aws/sdk.js';\nexport type D = X;\n"],
    ['an I/O module', "import type { Stats } from 'node:fs';\nexport type S = Stats;\n"],
  ])('rejects a port importing %s', async (_what, code) => {
    expect(await lintAs('src/ports/probe.ts', code)).toContain('no-restricted-imports');
  });

  it('allows core/model and other ports', async () => {
    const rules = await lintAs('src/ports/probe.ts', "import type { Command } from '../core/model/index.js';\nimport type { Clock } from './clock.js';\nexport type P = [Command, Clock];\n");
    expect(fenceErrors(rules)).toEqual([]);
  });
});

describe('the app fence: no I/O, clock, timers, randomness or environment, no concrete classes', () => {
  it.each([
    '@aws-sdk/client-ec2', 'node:fs', 'fs', 'node:fs/promises', 'ioredis', 'better-sqlite3', 'node:child_process', 'child_process',
    'node:net', 'node:http', 'node:https', 'node:worker_threads', 'piscina', 'aws-local-stepfunctions',
  ])('rejects app importing %s', async (mod) => {
    expect(await lintAs('src/app/chains/probe.ts', `import * as m from '${mod}';\nexport const x = m;\n`)).toContain('no-restricted-imports');
  });

  it.each(['randomUUID', 'randomBytes', 'randomInt'])('rejects app importing node:crypto %s (randomness)', async (fn) => {
    expect(await lintAs('src/app/chains/probe.ts', `import { ${fn} } from 'node:crypto';\nexport const x = ${fn};\n`)).toContain('no-restricted-imports');
  });

  it.each(['adapters/sqlite/sqlite-state-store.js', 'sim/world.js', 'handlers/chain-api.js', 'cli/main.js'])('rejects app importing the concrete layer %s', async (path) => {
    expect(await lintAs('src/app/chains/probe.ts', `import * as m from '../../${path}';\nexport const x = m;\n`)).toContain('no-restricted-imports');
  });

  it.each([
    ['Date.now()', 'export const t = Date.now();\n', 'no-restricted-properties'],
    ['new Date()', 'export const t = new Date();\n', 'no-restricted-syntax'],
    ['Date()', 'export const t = Date();\n', 'no-restricted-syntax'],
    ['Math.random()', 'export const r = Math.random();\n', 'no-restricted-properties'],
    ['process.env', 'export const e = process.env.HOME;\n', 'no-restricted-properties'],
    ['performance.now()', 'export const t = performance.now();\n', 'no-restricted-properties'],
    ['crypto.randomUUID()', 'export const id = crypto.randomUUID();\n', 'no-restricted-properties'],
    ['setTimeout', 'export const t = setTimeout(() => undefined, 10);\n', 'no-restricted-globals'],
    ['setInterval', 'export const t = setInterval(() => undefined, 10);\n', 'no-restricted-globals'],
    ['fetch', "export const r = fetch('http://x');\n", 'no-restricted-globals'],
  ])('rejects %s in app', async (_what, code, rule) => {
    expect(await lintAs('src/app/worker/probe.ts', code)).toContain(rule);
  });

  it('allows core, ports, hashing, zod and dates from given times in app', async () => {
    const code = [
      "import { createHash } from 'node:crypto';",
      "import { z } from 'zod';",
      "import type { Clock } from '../../ports/clock.js';",
      "import { InputError } from '../../core/model/index.js';",
      'export const at = (clock: Clock): string => new Date(clock.nowSec() * 1000).toISOString();',
      "export const h = createHash('sha256').update('x').digest('hex');",
      'export const s = z.string();',
      'export const e = InputError;',
      '',
    ].join('\n');
    expect(fenceErrors(await lintAs('src/app/chains/probe.ts', code))).toEqual([]);
  });
});

describe('the composition-root fence: only handlers and cli wire adapters together', () => {
  it.each([
    ['src/adapters/files/probe.ts', '../../handlers/chain-api.js'],
    ['src/adapters/files/probe.ts', '../../cli/main.js'],
    ['src/sim/probe.ts', '../handlers/controller-runner.js'],
    ['src/sim/probe.ts', '../cli/main.js'],
  ])('rejects %s importing %s', async (path, target) => {
    expect(await lintAs(path, `import * as m from '${target}';\nexport const x = m;\n`)).toContain('no-restricted-imports');
  });

  it('allows handlers and cli to construct adapters, and adapters to do I/O', async () => {
    expect(fenceErrors(await lintAs('src/handlers/probe.ts', "import { SqliteStateStore } from '../adapters/sqlite/sqlite-state-store.js';\nexport const s = new SqliteStateStore(':memory:');\n"))).toEqual([]);
    expect(fenceErrors(await lintAs('src/cli/commands/probe.ts', "import { systemClock } from '../../adapters/clock/system-clock.js';\nexport const t = systemClock.nowSec() + Date.now();\n"))).toEqual([]);
    expect(fenceErrors(await lintAs('src/adapters/files/probe.ts', "import { readFileSync } from 'node:fs';\nexport const t = Date.now() + Math.random();\nvoid readFileSync;\n"))).toEqual([]);
  });
});

describe('the core fence, extended to the environment and every clock', () => {
  it.each([
    ['process.env', 'export const e = process.env.HOME;\n'],
    ['performance.now()', 'export const t = performance.now();\n'],
    ['Date()', 'export const t = Date();\n'],
    ['crypto.randomUUID()', 'export const id = crypto.randomUUID();\n'],
  ])('rejects %s in core', async (_what, code) => {
    expect(fenceErrors(await lintAs('src/core/plan/probe.ts', code)).length).toBeGreaterThan(0);
  });
});
