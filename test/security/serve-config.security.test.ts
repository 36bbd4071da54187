/**
 * `prescale serve --config` refuses a broken or unsafe configuration at start (issue 15, item 6):
 * exit 2 with one line naming the field, and nothing listening. Each case spawns a real server.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseConfig, FIXTURES_DIR, recordTask, registeredTasks, tempDir } from '../fixtures/tasks/service.js';
import { serveExit } from './serve-process.js';

const good = () => ({ ...baseConfig(), taskRoot: FIXTURES_DIR });
const wf = (tasks: unknown[], pool = 'od') => [{ name: 'etl', variants: [{ name: 'v', defaultPool: pool, tasks }] }];

describe('prescale serve --config refuses a bad configuration at start', () => {
  it('exits 2 with one line naming the field for each of 13 bad configurations', async () => {
    const work = tempDir('prescale-serve-config-');
    writeFileSync(join(work, 'evil.mjs'), 'export function run() { return {}; }\n');
    const root = join(work, 'root');
    mkdirSync(root);
    symlinkSync(join(work, 'evil.mjs'), join(root, 'link.mjs'));
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['unknown top-level key', { ...good(), tokenz: { x: 'alice' } }, /tokenz: got "tokenz", expected no such key/],
      ['unknown nested key', { ...good(), workflows: [{ name: 'etl', variants: [{ name: 'v', defaultPool: 'od', tasks: [{ ...recordTask('a'), executable_code_locaton: 'x' }] }] }] }, /workflows\[0\]\.variants\[0\]\.tasks\[0\]\.executable_code_locaton/],
      ['catalog cycle', { ...good(), workflows: wf([recordTask('a', ['b']), recordTask('b', ['a'])]) }, /workflows\[0\]\.variants\[0\]\.tasks\[0\]\.dependencies.*cycle/],
      ['missing dependency', { ...good(), workflows: wf([recordTask('a', ['nope'])]) }, /workflows\[0\]\.variants\[0\]\.tasks\[0\]\.dependencies\[0\]: got "nope"/],
      ['unknown pool', { ...good(), workflows: wf([recordTask('a')], 'gpu-pool') }, /workflows\[0\]\.variants\[0\]\.defaultPool: got "gpu-pool"/],
      ['token of an unknown principal', { ...good(), tokens: { 'alice-token-0001': 'alice', 'ghost-token-000001': 'ghost' } }, /tokens: got "ghost", expected a principal id of "principals"/],
      ['policy naming an unknown principal', { ...good(), policies: [{ id: 'p', effect: 'allow', principals: ['alcie'] }] }, /policies\[0\]\.principals\[0\]: got "alcie"/],
      ['short token', { ...good(), tokens: { short: 'alice' } }, /tokens: got "a 5-character token of alice", expected bearer tokens of at least 16 characters/],
      ['registered module outside the task root', { ...good(), tasks: [...registeredTasks(), recordTask('evil', [], { executable_code_location: `module:${join(work, 'evil.mjs')}#run` })] }, /tasks\[7\]\.executable_code_location: .*resolves outside it/],
      ['registered module through a symlink out of the task root', { ...good(), taskRoot: root, tasks: [recordTask('link', [], { executable_code_location: 'module:./link.mjs#run' })], commandTasks: [] }, /tasks\[0\]\.executable_code_location: .*resolves outside it/],
      ['command: task not listed in commandTasks', { ...good(), commandTasks: [] }, /tasks\[6\]\.executable_code_location: got "command:node.*expected command: locations run only for task ids the operator lists in "commandTasks"/],
      ['catalog workflow named "submitted"', { ...good(), workflows: [{ name: 'submitted', variants: [{ name: 'v', defaultPool: 'od', tasks: [recordTask('a')] }] }] }, /workflows\[0\]\.name: got "submitted"/],
      ['missing task root', { ...good(), taskRoot: join(work, 'nowhere') }, /taskRoot: got ".*nowhere", expected an existing task root directory/],
    ];
    let rejected = 0;
    // Three at a time: each spawn starts tsx, slow on a loaded machine.
    for (let i = 0; i < cases.length; i += 3) {
      const batch = cases.slice(i, i + 3);
      const results = await Promise.all(batch.map(async ([name, config], j) => {
        const path = join(work, `c${i + j}.json`);
        writeFileSync(path, JSON.stringify(config));
        return { name, ...(await serveExit(path, join(work, `c${i + j}.db`))) };
      }));
      for (const [j, r] of results.entries()) {
        const lines = r.stderr.trim().split('\n');
        expect({ name: r.name, code: r.code, lines: lines.length }).toEqual({ name: r.name, code: 2, lines: 1 });
        expect(lines[0]).toMatch(batch[j][2]);
        expect(r.stderr).not.toMatch(/listening/);
        rejected++;
      }
    }
    process.stdout.write(`serve --config probes (rejected/tried): ${rejected}/${cases.length}\n`);
  }, 600_000);
});
