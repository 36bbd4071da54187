import { describe, expect, it } from 'vitest';
import { TaskDefinitionSchema, WorkflowSchema } from '../../../src/core/model/index.js';
import { chainOfTasks, task, workflow } from '../../builders/tasks.js';
import { regularSeries } from '../../builders/metrics.js';

describe('shared test builders', () => {
  it('build task definitions and workflows the model schemas accept unchanged', () => {
    const t = task('load', ['extract'], { vcpu: 2, critical: true });
    expect(TaskDefinitionSchema.parse(t)).toEqual(t);
    expect(t).toMatchObject({ dependencies: ['extract'], resource_requirements: { vcpu: 2, memoryGiB: 2, gpu: 0 }, critical: true });
    const wf = workflow('etl', chainOfTasks(3), [{ name: 'spot' }, { name: 'od', defaultPool: 'on-demand' }]);
    expect(WorkflowSchema.parse(wf)).toEqual(wf);
    expect(wf.variants.map((v) => [v.name, v.defaultPool, v.tasks.map((x) => x.dependencies)])).toEqual([
      ['spot', 'batch', [[], ['t1'], ['t2']]],
      ['od', 'on-demand', [[], ['t1'], ['t2']]],
    ]);
  });

  it('builds a regular series aligned to its period', () => {
    const s = regularSeries([1, 2, 3]);
    expect(s.startSec % s.periodSec).toBe(0);
    expect(s.values).toEqual([1, 2, 3]);
  });
});
