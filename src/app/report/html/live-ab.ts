/**
 * The A/B section of a live export (`prescale export-report --ab FILE`, issue 22): the deployment's
 * executions assigned to arms by the same hash the tick's prefetch selection uses
 * (core/predict/ab-selection.ts `abArmOf`, by principal), then per arm:
 * - a preparation is a step whose run looked its prepared state up (`StepRecord.setup`), plus every
 *   `prefetch` decision of the log whose step never resumed (prepared and thrown away);
 * - a hit is a step whose setup outcome is `resumed`, saving `setup.savedSec`;
 * - waste is a preparation that was not a hit: the task's setup seconds (setupShare × mean runtime)
 *   times its vCPUs, priced at DEFAULT_USD_PER_VCPU_HOUR;
 * - latency is the makespan of a succeeded execution.
 * The section itself (tests, winner) is app/history/ab-report.ts's, as in the backtest.
 */
import type { Decision, TaskDefinition, Workflow } from '../../../core/model/index.js';
import type { AbTestConfig } from '../../../core/model/learning-config.js';
import { abArmOf } from '../../../core/predict/ab-selection.js';
import { DEFAULT_USD_PER_VCPU_HOUR, setupSecondsOf } from '../../../core/prefetch/selection.js';
import { abTestSummary, type AbChain, type AbPreparation } from '../../history/ab-report.js';
import type { ExecutionRecord } from '../../chains/records.js';
import type { AbTestSummary } from '../types.js';

function taskOf(workflow: Workflow | undefined, variant: string, taskId: string): TaskDefinition | undefined {
  const v = workflow?.variants.find((x) => x.name === variant) ?? workflow?.variants[0];
  return v?.tasks.find((x) => x.task_id === taskId) ?? workflow?.variants.flatMap((x) => x.tasks).find((x) => x.task_id === taskId);
}

/**
 * The A/B section of executions `execs` (with their workflows) and the window's decisions.
 * @param workflowOf the workflow of an execution, when its chain is known
 */
export function liveAbTest(ab: AbTestConfig, execs: readonly ExecutionRecord[], workflowOf: (e: ExecutionRecord) => Workflow | undefined, decisions: readonly Decision[]): AbTestSummary {
  const preps: AbPreparation[] = [];
  const chains: AbChain[] = [];
  const wasteOf = (t: TaskDefinition | undefined): { wastedCpuSec: number; wastedUsd: number } => {
    const sec = t ? setupSecondsOf(t) : 0; // NaN for a definition stored without setupShare or runtime
    const cpu = t && Number.isFinite(sec) ? sec * t.resource_requirements.vcpu : 0;
    return { wastedCpuSec: cpu, wastedUsd: (cpu * DEFAULT_USD_PER_VCPU_HOUR) / 3600 };
  };
  const byChain = new Map<string, ExecutionRecord[]>();
  const armOfExec = new Map<ExecutionRecord, string>();
  for (const e of execs) {
    const arm = abArmOf({ chainId: e.chainId, principal: e.principalId }, ab);
    armOfExec.set(e, arm);
    for (const id of [e.chainId, e.executionId]) { const l = byChain.get(id) ?? []; l.push(e); byChain.set(id, l); }
    const wf = workflowOf(e);
    let last = e.createdAtSec;
    for (const s of Object.values(e.steps).sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0))) {
      last = Math.max(last, s.finishedAtSec ?? last);
      if (!s.setup) continue;
      const hit = s.setup.outcome === 'resumed';
      preps.push({ arm, hit, setupSecSaved: hit ? s.setup.savedSec : 0, ...(hit ? { wastedCpuSec: 0, wastedUsd: 0 } : wasteOf(taskOf(wf, e.variant, s.taskId))) });
    }
    chains.push({ arm, ...(e.status === 'succeeded' ? { latencySec: last - e.createdAtSec } : {}) });
  }
  // prefetch decisions whose step never looked its state up: prepared, then thrown away
  const seen = new Set<string>();
  for (const d of decisions) {
    if (d.kind !== 'prefetch') continue;
    const taskId = d.chosen;
    if (seen.has(`${d.subject}\u0001${taskId}`)) continue;
    seen.add(`${d.subject}\u0001${taskId}`);
    const es = byChain.get(d.subject) ?? [];
    if (es.some((e) => e.steps[taskId]?.setup !== undefined)) continue;
    const e = es[0];
    const armInReason = /^\[arm ([A-Za-z0-9._-]+)\]/.exec(d.reason)?.[1];
    const arm = armInReason ?? (e ? armOfExec.get(e)! : abArmOf({ chainId: d.subject }, ab));
    preps.push({ arm, hit: false, setupSecSaved: 0, ...wasteOf(e ? taskOf(workflowOf(e), e.variant, taskId) : undefined) });
  }
  return abTestSummary(ab.arms.map((a) => a.name), ab.control ?? ab.arms[0].name, preps, chains);
}
