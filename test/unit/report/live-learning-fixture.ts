/**
 * The learning loop of a live deployment as the controller saves it (TickMemoryHolder), for the
 * export-report tests: a vom next-step model in its feedback loop that learned and predicted 200
 * chains (b after a 7 times in 10, c otherwise; one chain every 2 min from LIVE_T0), and a bundle
 * outcome book settled by the steps' start events — 10 bundle members (20 s setup, 2 vCPU; 8 start
 * in time, 2 never), 10 single steps (5 in time, 5 too early) and one shadow preparation.
 */
import { LearningHooks } from '../../../src/app/history/learning-hooks.js';
import { TickMemoryHolder } from '../../../src/app/tick/state.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { BundleOutcomeBook, bundleEdgeKey, SINGLE_STEP_GROUP } from '../../../src/core/predict/bundle-outcomes.js';
import { createNextStepModel, FeedbackModel, restoreNextStepModel } from '../../../src/core/predict/index.js';
import { createTickMemory } from '../../../src/core/tick/memory.js';
import type { StateStore } from '../../../src/ports/state-store.js';
import { etl, LIVE_T0 as T0 } from './live-fixture.js';

const started = (chainId: string, taskId: string, atSec: number): ExecutionEvent => ({ chainId, workflow: 'etl', variant: 'spot', taskId, taskType: taskId, kind: 'started', atSec });
/** The tick the memory is saved after. */
export const LAST_TICK = T0 + 200 * 120;

/** The controller's saved state after 200 chains: the feedback model and the bundle outcomes, saved by the tick memory holder. */
export async function seedLearning(store: StateStore): Promise<FeedbackModel> {
  const model = new FeedbackModel(createNextStepModel('vom'), { calibrate: true });
  for (let i = 0; i < 200; i++) {
    const chainId = `chain-l${i}`, t = T0 + i * 120;
    model.observe([started(chainId, 'a', t)]);
    model.predict({ chainId, workflow: 'etl', history: ['a'], nowSec: t }, 3);
    model.observe([started(chainId, i % 10 < 7 ? 'b' : 'c', t + 60)]);
  }
  // preparations: 10 bundle members (20 s setup, 2 vCPU; 8 start in time, 2 never), 10 single steps (5 in time, 5 too early), 1 shadow
  const book = new BundleOutcomeBook();
  const edge = bundleEdgeKey('etl', 'a', 'b');
  const events: ExecutionEvent[] = [];
  for (let i = 0; i < 10; i++) {
    book.record(edge, `chain-p${i}`, 'b', T0, 20, 2, 600);
    if (i < 8) events.push(started(`chain-p${i}`, 'b', T0 + 60));
    book.record(SINGLE_STEP_GROUP, `chain-s${i}`, 'b', T0, 20, 2, 600);
    events.push(started(`chain-s${i}`, 'b', T0 + (i < 5 ? 60 : 10)));
  }
  book.recordShadow(bundleEdgeKey('etl', 'a', 'c'), 'chain-x', 'c', T0, 20, 2, 600);
  events.push(started('chain-x', 'c', T0 + 60));
  book.observe(events, T0 + 3600);
  const learning = new LearningHooks(undefined);
  learning.restore({ ...learning.toJSON(), outcomes: book.toJSON() }, restoreNextStepModel);
  const memory = { ...createTickMemory([etl], false), state: { lastTickSec: LAST_TICK, plannerMemory: {} }, lastEventSec: LAST_TICK };
  await new TickMemoryHolder(store).save(memory, model, learning);
  return model;
}

