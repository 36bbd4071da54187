import { describe, expect, it } from 'vitest';
import { TaskRootPolicy, allowedCommandLocations } from '../../../src/adapters/executor/code-policy.js';
import { AjvSchemaChecker } from '../../../src/adapters/schema/ajv-schema-checker.js';
import { droppedKey, parseChainServiceConfig } from '../../../src/app/chains/config-check.js';
import { baseConfig, FIXTURES_DIR } from '../../fixtures/tasks/service.js';

const schemas = new AjvSchemaChecker();
const parse = (c: unknown) => {
  const shaped = parseChainServiceConfig(c, { schemas }, 'serve.json');
  return parseChainServiceConfig(c, { schemas, code: new TaskRootPolicy(FIXTURES_DIR, allowedCommandLocations(shaped)) }, 'serve.json');
};

describe('chain service configuration checked at start', () => {
  it('accepts the fixtures\' configuration', () => {
    expect(parse(baseConfig()).tasks.map((t) => t.task_id)).toContain('record');
  });

  it('names an unknown key at any depth', () => {
    expect(() => parse({ ...baseConfig(), tokenz: {} })).toThrow('serve.json: tokenz: got "tokenz", expected no such key');
    expect(() => parse({ ...baseConfig(), composer: { wieghts: {} } })).toThrow('serve.json: composer.wieghts: got "wieghts"');
    expect(() => parse({ ...baseConfig(), principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'], admin: true }] })).toThrow('serve.json: principals[0].admin: got "admin"');
    expect(droppedKey({ a: [{ b: 1, c: 2 }], r: { any: 1 } }, { a: [{ b: 1 }], r: { any: 1 } })).toBe('a[0].c');
  });

  it('takes the learning loop\'s prefetch settings (the controller\'s section) with defaults, and names bad ones', () => {
    const c = parse(baseConfig());
    expect(c.prefetch).toMatchObject({ enabled: true, probabilityThreshold: 0.5, topN: 2 });
    expect(c.learningIntervalSec).toBe(5);
    expect(parse({ ...baseConfig(), prefetch: { abTest: { arms: [{ name: 'a' }, { name: 'b', topN: 3 }] } } }).prefetch.abTest?.salt).toBe('prefetch-ab');
    expect(() => parse({ ...baseConfig(), prefetch: { thresold: 0.4 } })).toThrow('serve.json: prefetch.thresold: got "thresold"');
    expect(() => parse({ ...baseConfig(), prefetch: { abTest: { arms: [{ name: 'only' }] } } })).toThrow(/prefetch\.abTest\.arms/);
    expect(() => parse({ ...baseConfig(), learningIntervalSec: 0 })).toThrow(/learningIntervalSec/);
  });

  it('refuses short tokens without echoing them, and tokens and operators of unknown principals', () => {
    const err = (() => { try { parse({ ...baseConfig(), tokens: { 's3cr3t': 'alice' } }); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toMatch(/tokens: got "a 6-character token of alice", expected bearer tokens of at least 16 characters/);
    expect(err).not.toMatch(/s3cr3t/);
    expect(() => parse({ ...baseConfig(), tokens: { 'ghost-token-000001': 'ghost' } })).toThrow(/tokens: got "ghost"/);
    expect(() => parse({ ...baseConfig(), operators: ['root'] })).toThrow(/operators\[0\]: got "root"/);
  });

  it('refuses registered code outside the task root and command: tasks the operator did not list', () => {
    const tasks = [{ task_id: 'x', executable_code_location: 'module:../../../etc/passwd#run', resource_requirements: { vcpu: 1, memoryGiB: 1 } }];
    expect(() => parse({ ...baseConfig(), tasks, commandTasks: [] })).toThrow(/tasks\[0\]\.executable_code_location: got "module:\.\.\/\.\.\/\.\.\/etc\/passwd#run", expected a module file under the task root/);
    expect(() => parse({ ...baseConfig(), commandTasks: [] })).toThrow(/tasks\[6\]\.executable_code_location: got "command:node/);
    expect(() => parse({ ...baseConfig(), commandTasks: ['double', 'nope'] })).toThrow(/commandTasks\[1\]: got "nope"/);
  });

  it('checks the worker channel: known EC2 pools, tokens of 16+ characters not echoed and not chain API tokens', () => {
    const wc = (workerChannel: unknown) => parse({ ...baseConfig(), workerChannel });
    expect(wc({ remotePools: ['od'], tokens: ['worker-token-00000001'] }).workerChannel?.remotePools).toEqual(['od']);
    expect(() => wc({ remotePools: ['nope'], tokens: ['worker-token-00000001'] })).toThrow(/workerChannel\.remotePools\[0\]: got "nope", expected a configured EC2 pool id \(spot-batch, od\)/);
    const err = (() => { try { wc({ remotePools: ['od'], tokens: ['sh0rt'] }); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toMatch(/workerChannel\.tokens\[0\]: got "a 5-character worker token", expected worker tokens of at least 16 characters/);
    expect(err).not.toMatch(/sh0rt/);
    expect(() => wc({ remotePools: ['od'], tokens: ['alice-token-0001'] })).toThrow(/not also a chain API token/);
    expect(() => wc({ remotePools: ['od'], tokens: ['worker-token-00000001'], extra: 1 })).toThrow(/workerChannel\.extra/);
  });
});
