/**
 * The prefetch stage: which predicted steps to prepare ahead (core/prefetch/selection.ts), among the
 * pending steps of chains not prepared yet. Its output is a list of preparations
 * ({@link PreExecuteCommand}s), handed to the Preparer port, never to the CloudProvider.
 */
import type { Decision, PreExecuteCommand } from '../model/index.js';
import { stepKey } from '../tick/chain-view.js';
import type { StageResult, TickMemory } from '../tick/memory.js';
import { selectPrefetch, type PrefetchChainInput, type PrefetchConfig, type PrefetchSelection } from './selection.js';
import type { StateValuePrices } from './ledger.js';

/** Inputs of {@link prefetchStage}. */
export interface PrefetchInputs {
  readonly nowSec: number;
  /** The predict stage's chains with their predictions and pending steps. */
  readonly chains: readonly PrefetchChainInput[];
  /** Absent: prefetch is off (no preparations). */
  readonly config: PrefetchConfig | undefined;
  /**
   * The selection to use (issue 22: bundles of frequent subgraphs and A/B arms,
   * app/history/learning-hooks.ts); @default {@link selectPrefetch} without bundles
   */
  readonly select?: (chains: readonly PrefetchChainInput[], config: PrefetchConfig, nowSec: number) => PrefetchSelection;
}

/** Selects the preparations of this tick; one `prefetch` decision per chosen step. */
export function prefetchStage(inputs: PrefetchInputs, memory: TickMemory): StageResult<PreExecuteCommand> {
  if (!inputs.config) return { memory, commands: [], decisions: [] };
  const chains = inputs.chains.map((c) => ({ ...c, pendingSteps: c.pendingSteps.filter((s) => !memory.prepared.has(stepKey(c.chainId, s.task.task_id))) }));
  const sel = (inputs.select ?? selectPrefetch)(chains, inputs.config, inputs.nowSec);
  const decisions: Decision[] = [];
  for (const d of sel.decisions) if (d.chosen) decisions.push({ atSec: inputs.nowSec, kind: 'prefetch', subject: d.chainId, chosen: d.taskId ?? d.taskType, reason: d.reason });
  return { memory, commands: sel.commands, decisions };
}

/**
 * Records a preparation the Preparer accepted: its step is not prepared again, and its state is held
 * in the ledger (kept its TTL, valued at `prices` when given) while the chain book knows the step.
 */
export function recordPreparation(memory: TickMemory, c: PreExecuteCommand, nowSec: number, defaultTtlSec: number, prices?: StateValuePrices): TickMemory {
  memory.prepared.add(stepKey(c.chainId, c.taskId));
  const def = memory.chains.chains.get(c.chainId)?.steps.get(c.taskId)?.def;
  if (def) memory.ledger.add(c, def, nowSec, defaultTtlSec, prices);
  return memory;
}
