/**
 * issue 22, the deployed A/B unit: the execution events the AWS deployment writes name the chain's
 * principal (the engine's `submitted` events from the execution input's `meta.principal`, the
 * workers' events from the step message). Through the tick's chain view and observe stage the chain
 * book keeps it, also when a chain's first event does not name it, and the arm selection then puts
 * two chains of one principal in the same arm — the arm `assignArm` gives that principal in the
 * backtest. Chains whose events name no principal keep the chain-id fallback.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { AbTestConfigSchema } from '../../../src/core/model/learning-config.js';
import { abArmOf, selectForAbTest } from '../../../src/core/predict/ab-selection.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import { buildChainView } from '../../../src/core/tick/chain-view.js';
import { createTickMemory } from '../../../src/core/tick/memory.js';
import { observeStage } from '../../../src/core/tick/observe.js';
import { task, workflow } from '../../builders/tasks.js';

const wf = workflow('etl', [task('extract'), task('load', ['extract'], { prepare: 'module:./load.js#prepare', setupShare: 0.5 })]);
const ab = AbTestConfigSchema.parse({ arms: [{ name: 'control' }, { name: 'eager', probabilityThreshold: 0.1 }], salt: 's11' });

/** Two chain ids that the chain-id fallback puts in different arms (so the principal is what joins them). */
function splitChainIds(): [string, string] {
  const first = 'chain-0';
  for (let i = 1; i < 200; i++) if (abArmOf({ chainId: `chain-${i}` }, ab) !== abArmOf({ chainId: first }, ab)) return [first, `chain-${i}`];
  throw new Error('no two chain ids in different arms');
}

const ev = (chainId: string, taskId: string, kind: ExecutionEvent['kind'], atSec: number, principal?: string): ExecutionEvent => ({
  chainId, workflow: 'etl', variant: 'default', taskId, taskType: taskId, kind, atSec, ...(principal !== undefined ? { principal } : {}),
});

describe('the principal in the deployed execution events', () => {
  it('two chains of one principal land in the arm of that principal, though their chain ids would split them', () => {
    const [a, b] = splitChainIds();
    const memory = createTickMemory([wf], false);
    // b: a worker's `started` event reached the log before the engine's `submitted` events that name the principal
    const events = [
      ev(a, 'extract', 'submitted', 1, 'tenant-1'), ev(a, 'load', 'submitted', 1, 'tenant-1'), ev(a, 'extract', 'started', 2, 'tenant-1'),
      ev(b, 'extract', 'started', 3), ev(b, 'extract', 'submitted', 1, 'tenant-1'), ev(b, 'load', 'submitted', 1, 'tenant-1'),
    ];
    const out = observeStage({ view: buildChainView(events, 10), nextStep: createNextStepModel('markov1') }, memory);
    const chains = out.memory.chains.chains;
    expect([chains.get(a)?.principal, chains.get(b)?.principal]).toEqual(['tenant-1', 'tenant-1']);

    const inputs = [a, b].map((chainId) => ({ chainId, workflow: 'etl', principal: chains.get(chainId)!.principal, predictions: [], pendingSteps: [] }));
    const sel = selectForAbTest(inputs, { probabilityThreshold: 0.3 }, ab, 10);
    const principalArm = abArmOf({ chainId: 'any', principal: 'tenant-1' }, ab);
    expect(sel.armOfChain).toEqual({ [a]: principalArm, [b]: principalArm });
  });

  it('a chain whose events name no principal keeps the chain-id arm (old events)', () => {
    const [a, b] = splitChainIds();
    const memory = createTickMemory([wf], false);
    const out = observeStage({ view: buildChainView([ev(a, 'extract', 'submitted', 1), ev(b, 'extract', 'submitted', 1, '')], 10), nextStep: createNextStepModel('markov1') }, memory);
    const chains = out.memory.chains.chains;
    const inputs = [a, b].map((chainId) => ({ chainId, workflow: 'etl', ...(chains.get(chainId)!.principal ? { principal: chains.get(chainId)!.principal } : {}), predictions: [], pendingSteps: [] }));
    expect(selectForAbTest(inputs, { probabilityThreshold: 0.3 }, ab, 10).armOfChain).toEqual({ [a]: abArmOf({ chainId: a }, ab), [b]: abArmOf({ chainId: b }, ab) });
    expect(abArmOf({ chainId: a }, ab)).not.toBe(abArmOf({ chainId: b }, ab));
  });
});
