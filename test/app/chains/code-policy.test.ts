import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskRootPolicy } from '../../../src/adapters/executor/code-policy.js';
import { LocalExecutor } from '../../../src/adapters/executor/local-executor.js';
import { forbiddenKeyPath, jsonDepth, parseJsonBody } from '../../../src/adapters/http/json-body.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import { TokenTable } from '../../../src/app/chains/tokens.js';
import { tempDir } from '../../fixtures/tasks/service.js';

function fixture() {
  const work = tempDir('prescale-code-policy-');
  const root = join(work, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'sub', 'ok.mjs'), 'export function run(i) { return { echoed: i }; }\n');
  writeFileSync(join(work, 'outside.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(work, 'marker'))}, 'x');\nexport function run() { return {}; }\n`);
  symlinkSync(join(work, 'outside.mjs'), join(root, 'link.mjs'));
  symlinkSync(work, join(root, 'up'));
  return { work, root };
}

describe('task root policy', () => {
  it('admits modules under the root and refuses .., absolute paths elsewhere, symlinks out, other schemes and unlisted commands', () => {
    const { work, root } = fixture();
    const p = new TaskRootPolicy(root, new Set(['command:echo {}']));
    expect(p.refusal('module:./sub/ok.mjs#run', 't')).toBeUndefined();
    expect(p.refusal(`module:${join(root, 'sub', 'ok.mjs')}#run`, 't')).toBeUndefined();
    expect(p.refusal('command:echo {}', 't')).toBeUndefined();
    for (const bad of ['module:../outside.mjs#run', `module:${join(work, 'outside.mjs')}#run`, 'module:./link.mjs#run', 'module:./up/outside.mjs#run', 'module:./sub#run', 'module:./missing.mjs', 'module:./sub/ok.mjs#constructor.x', 'command:id', 's3://bucket/x.zip', 'file:///etc/passwd']) {
      expect([bad, typeof p.refusal(bad, 't')]).toEqual([bad, 'string']);
    }
  });

  it('the local executor refuses before importing: the outside module never runs', async () => {
    const { work, root } = fixture();
    const ex = new LocalExecutor(root);
    const task = (loc: string) => TaskDefinitionSchema.parse({ task_id: 't', executable_code_location: loc, resource_requirements: { vcpu: 1, memoryGiB: 1 } });
    await expect(ex.run(task('module:./sub/ok.mjs#run'), { a: 1 }, {})).resolves.toEqual({ echoed: { a: 1 } });
    await expect(ex.run(task('module:./link.mjs#run'), {}, {})).rejects.toThrow(/resolves outside it/);
    await expect(ex.run(task(`command:touch ${join(work, 'marker')}`), {}, {})).rejects.toThrow(/commandTasks/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(work, 'marker'))).toBe(false);
  });
});

describe('request bodies and tokens', () => {
  it('measures depth without recursion, skipping strings', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    expect(jsonDepth('['.repeat(1_000_000), 64)).toBe(65);
    expect(() => parseJsonBody(`{"input":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 64)).toThrow(/body: .*limits\.maxJsonDepth/);
    expect(parseJsonBody('{"a":"\\"[[[[\\""}', 2)).toEqual({ a: '"[[[["' });
  });

  it('finds prototype keys anywhere', () => {
    expect(forbiddenKeyPath(JSON.parse('{"a":[{"__proto__":{}}]}'))).toEqual({ path: 'body.a[0].__proto__', key: '__proto__' });
    expect(forbiddenKeyPath(JSON.parse('{"constructor":{"prototype":{}}}'))?.key).toBe('constructor.prototype');
    expect(forbiddenKeyPath({ constructor: 'fine', proto: 1 })).toBeUndefined();
  });

  it('maps only configured tokens, never Object.prototype names', () => {
    const t = new TokenTable({ 'alice-token-0001': 'alice' });
    expect(t.principalOf('alice-token-0001')).toBe('alice');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'alice-token-000', '']) expect(t.principalOf(name)).toBeUndefined();
  });
});
