import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWorkflowTraces } from '../../../src/adapters/files/wfformat-reader.js';
import { InputError } from '../../../src/core/model/errors.js';
import { diamondTasks, wfDoc15 } from '../../builders/wfformat.js';
import { tempFiles } from './tmp-files.js';

const { write, dir } = tempFiles('wf');
const doc = JSON.stringify(wfDoc15(diamondTasks()));

describe('readWorkflowTraces', () => {
  it('walks directories recursively for *.json in sorted order, next to explicit files', async () => {
    const root = dir();
    for (const rel of ['b/zeta-1.json', 'a/alpha-1.json', 'a/deeper/beta-1.json', 'a/notes.txt']) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), rel.endsWith('.json') ? doc : 'not json');
    }
    const single = write('single-1.json', doc);
    const traces = await readWorkflowTraces([join(root, 'b'), single, join(root, 'a')]);
    expect(traces.map((t) => t.file)).toEqual([...traces.map((t) => t.file)].sort());
    expect(traces.map((t) => t.id).sort()).toEqual(['alpha-1', 'beta-1', 'single-1', 'zeta-1']);
    const ids = traces.map((t) => t.id);
    expect(ids.indexOf('alpha-1')).toBeLessThan(ids.indexOf('beta-1'));
    expect(ids.indexOf('beta-1')).toBeLessThan(ids.indexOf('zeta-1'));
    expect(traces).toHaveLength(4);
  });

  it('reads a file given twice once', async () => {
    const f = write('twice-1.json', doc);
    expect(await readWorkflowTraces([f, f])).toHaveLength(1);
  });

  const bad: Array<[string, () => string, RegExp]> = [
    ['a missing path', () => '/definitely/not/here.json', /^\/definitely\/not\/here\.json: got ".+", expected an existing WfFormat \.json file or a directory of them$/],
    ['invalid JSON', () => write('broken-1.json', '{"name": '), /broken-1\.json: got ".+", expected valid JSON \(a WfCommons WfFormat document\)$/],
    ['a directory without JSON files', () => dir(), /got "no \.json files", expected a directory holding WfFormat \.json files$/],
    ['an unknown parent', () => write('ghost-1.json', JSON.stringify(wfDoc15([{ id: 'a_ID1', parents: ['nobody'] }]))), /ghost-1\.json: workflow\.specification\.tasks\[0\]\.parents\[0\]: got "nobody", expected .*task "a_ID1" names an unknown parent/],
  ];
  for (const [what, path, message] of bad) {
    it(`rejects ${what}`, async () => {
      const e = await readWorkflowTraces([path()]).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(message);
    });
  }
});
