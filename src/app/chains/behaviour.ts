/**
 * The Chain API's behaviour model (issue 19 item 6): the composer's P(variant | principal, workflow)
 * learned from the variants the principal's own executions ran (core/compose `learnedBehaviour`),
 * the configured `behaviour` table where it has none.
 *
 * Authorization: only the principal's own records are read (the chains and executions tables are
 * keyed by the URI-encoded principal id, so the key prefix holds that principal's records and no
 * other's), and the model answers only for that principal.
 */
import { learnedBehaviour, type BehaviourQuery, type VariantChoice } from '../../core/compose/index.js';
import type { Workflow } from '../../core/model/index.js';
import type { StateStore } from '../../ports/state-store.js';
import { TABLES, type ChainRecord, type ExecutionRecord } from './records.js';

/** Records read per table at most (the most a composition pays for its history). */
export const BEHAVIOUR_HISTORY_LIMIT = 1000;

/**
 * The behaviour model for `principalId` composing `workflow`: learned from the principal's own
 * executions (queued ones, not run yet, are left out), else `table`.
 */
export async function principalBehaviour(store: Pick<StateStore, 'list'>, principalId: string, workflow: Workflow, table: Readonly<Record<string, number>>): Promise<(q: BehaviourQuery) => number | undefined> {
  const prefix = `${encodeURIComponent(principalId)}/`;
  const chains = await store.list<ChainRecord>(TABLES.chains, { prefix, limit: BEHAVIOUR_HISTORY_LIMIT });
  const workflowOf = new Map(chains.filter((c) => c.value.principalId === principalId).map((c) => [c.value.chainId, c.value.workflow.name]));
  const execs = await store.list<ExecutionRecord>(TABLES.executions, { prefix, limit: BEHAVIOUR_HISTORY_LIMIT });
  const history: VariantChoice[] = [];
  for (const { value: e } of execs) {
    const wf = workflowOf.get(e.chainId);
    if (e.principalId === principalId && wf !== undefined && e.status !== 'queued' && e.variant) history.push({ principalId, workflow: wf, variant: e.variant });
  }
  return learnedBehaviour(history, principalId, workflow, table);
}
