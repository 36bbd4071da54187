/**
 * Moving a running chain to another variant (seed 003 component 4, adaptive execution): finished and
 * running steps are kept (a running step finishes where it is), except `lost` ones (running on an
 * instance under an interruption notice); every other step is cancelled; the new variant's remaining
 * steps are instantiated and wired to the kept steps they depend on.
 */
import type { Random, Variant } from '../../core/model/index.js';
import { instantiateTasks } from './chains.js';
import type { SimChain, SimTask } from './types.js';

/** What a switch did. */
export interface AppliedSwitch {
  readonly from: string;
  /** Steps of the new variant, blocked; `pendingParents` counts unfinished parents (0: runnable). */
  readonly fresh: readonly SimTask[];
  readonly kept: readonly SimTask[];
  readonly cancelled: number;
}

/** Steps that stay: finished or running, not lost. */
export function keptTasks(chain: SimChain, lost: ReadonlySet<SimTask>): SimTask[] {
  return chain.tasks.filter((t) => (t.status === 'done' || t.status === 'running') && !lost.has(t));
}

/**
 * Switches `chain` to `variant`, running `remainingTaskIds` of it.
 * @param cancel frees a dropped step's resources (queue slot or instance share) before it is marked cancelled
 * @param random the workload's stream; new steps draw runtimes from `chain:<id>~<variant>#<n>`
 */
export function applyVariantSwitch(
  chain: SimChain, variant: Variant, remainingTaskIds: readonly string[], lost: ReadonlySet<SimTask>, random: Random, cancel: (t: SimTask) => void,
): AppliedSwitch {
  const kept = keptTasks(chain, lost);
  const keep = new Set(kept);
  let cancelled = 0;
  for (const t of chain.tasks) {
    if (keep.has(t)) continue;
    cancel(t);
    t.status = 'cancelled';
    cancelled++;
  }
  const fresh = instantiateTasks(chain.id, variant, remainingTaskIds, random, `~${variant.name}#${chain.switches + 1}`);
  const keptById = new Map(kept.map((t) => [t.def.task_id, t]));
  const freshById = new Map(fresh.map((t) => [t.def.task_id, t]));
  for (const t of kept) t.children.length = 0;
  for (const n of fresh) {
    n.pendingParents = 0;
    for (const dep of n.def.dependencies) {
      const parent = freshById.get(dep) ?? keptById.get(dep);
      if (parent && parent.status !== 'done') {
        n.pendingParents++;
        parent.children.push(n);
      }
    }
  }
  const from = chain.variant;
  chain.variant = variant.name;
  chain.switches++;
  chain.tasks = [...kept, ...fresh];
  chain.doneTasks = kept.filter((t) => t.status === 'done').length;
  return { from, fresh, kept, cancelled };
}
