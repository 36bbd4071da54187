/**
 * Pure selection of speculative pre-executions (seeds 000, 001, 002): from the next-step predictions
 * of running chains, choose non-critical predicted steps that have a `prepare` phase, prioritised by
 * `probability × saved setup seconds ÷ cost`, within a resource budget, and return them as
 * {@link PreExecuteCommand}s.
 */
import { z } from 'zod';
import type { PreExecuteCommand } from '../model/command.js';
import { taskTypeOf, type TaskDefinition } from '../model/task.js';
import { inputErrorFromZod } from '../model/errors.js';
import { PrefetchConfigSchema, type ControllerConfig } from '../model/config.js';
import type { NextStepPrediction } from '../predict/types.js';

/**
 * Default compute price: m5.large on-demand in us-east-1, 0.096 USD/h for 2 vCPU and 8 GiB (AWS EC2
 * on-demand pricing page, 2024), split evenly between its vCPUs and its memory.
 */
export const DEFAULT_USD_PER_VCPU_HOUR = 0.024;
/** Memory share of the same m5.large price, USD per GiB-hour (0.048 USD/h ÷ 8 GiB). */
export const DEFAULT_USD_PER_GIB_HOUR = 0.006;

/**
 * Configuration of pre-execution (one prefetch "arm" in an A/B test): the controller's `prefetch`
 * settings (`core/model/config.ts`: enabled, probabilityThreshold, topN, maxConcurrent, ttlSec) plus
 * a resource budget and prices. `maxConcurrent` caps the commands of one call.
 */
export const PrefetchSelectionConfigSchema = PrefetchConfigSchema.extend({
  /** Resources all preparations chosen in one call may use at once. */
  budget: z
    .object({
      /** @default 4 */
      vcpu: z.number().nonnegative().default(4),
      /** @default 8 */
      memoryGiB: z.number().nonnegative().default(8),
    })
    .default({ vcpu: 4, memoryGiB: 8 }),
  /** @default {@link DEFAULT_USD_PER_VCPU_HOUR} */
  usdPerVcpuHour: z.number().nonnegative().default(DEFAULT_USD_PER_VCPU_HOUR),
  /** @default {@link DEFAULT_USD_PER_GIB_HOUR} */
  usdPerGiBHour: z.number().nonnegative().default(DEFAULT_USD_PER_GIB_HOUR),
});
/** Pre-execution configuration, defaults applied. */
export type PrefetchSelectionConfig = z.output<typeof PrefetchSelectionConfigSchema>;
/** Same as {@link PrefetchSelectionConfig} (the name the tick imports). */
export type PrefetchConfig = PrefetchSelectionConfig;
/** Pre-execution configuration as written; the controller's `PrefetchConfig` is one. */
export type PrefetchSelectionConfigInput = z.input<typeof PrefetchSelectionConfigSchema>;

/**
 * Parses a pre-execution configuration, applying defaults.
 * @throws InputError naming the first bad field
 */
export function parsePrefetchConfig(input: PrefetchSelectionConfigInput = {}, file?: string): PrefetchSelectionConfig {
  const r = PrefetchSelectionConfigSchema.safeParse(input);
  if (!r.success) throw inputErrorFromZod(r.error.issues, input, file);
  return r.data;
}

/** One running chain: its predictions and its steps not yet started nor prepared. */
export interface PrefetchChainInput {
  readonly chainId: string;
  readonly workflow: string;
  /** Next-step predictions, most likely first (from `NextStepModel.predict`). */
  readonly predictions: readonly NextStepPrediction[];
  /** Steps of the chain that have not started and are not already being prepared, with their pool. */
  readonly pendingSteps: ReadonlyArray<{ readonly task: TaskDefinition; readonly poolId: string }>;
}

/** Task types that always run together after `root` (from frequent-subgraph mining). */
export interface PrefetchBundle {
  readonly workflow: string;
  readonly root: string;
  /** Other task types of the bundle (not including `root`). */
  readonly members: readonly string[];
  /** Smallest conditional probability along the bundle's edges, 0..1. */
  readonly confidence: number;
  /** Median seconds from the root's start to each member's start, in member order: a member is expected that long after its root. */
  readonly medianLagSec?: readonly number[];
  /** Members join only a root predicted at least this likely. @default 0 */
  readonly minRootProbability?: number;
  /**
   * Most seconds a member's state may wait once ready: a member expected more than this after its
   * setup ends (the root's expected start + its lag − its setup) is not prepared. @default no limit
   */
  readonly maxHoldSec?: number;
}

/** Why a predicted step was or was not chosen (for the decision log). */
export interface PrefetchDecision {
  readonly chainId: string;
  readonly taskType: string;
  readonly taskId?: string;
  readonly probability: number;
  readonly chosen: boolean;
  readonly reason: string;
  /** `probability × savedSec ÷ costUsd`, when computed. */
  readonly priority?: number;
  /** The root task type whose bundle brought this member (absent: a single-step prediction). */
  readonly bundleRoot?: string;
}

/** Result of {@link selectPrefetch}. */
export interface PrefetchSelection {
  readonly commands: PreExecuteCommand[];
  readonly decisions: PrefetchDecision[];
}

interface Candidate {
  readonly chainId: string;
  readonly taskType: string;
  readonly task: TaskDefinition;
  readonly poolId: string;
  readonly probability: number;
  readonly startInSec: number;
  readonly savedSec: number;
  readonly costUsd: number;
  readonly priority: number;
  /** Root of the bundle that brought it. */
  readonly via?: string;
}

/** Setup seconds a preparation of `task` saves: `setupShare × mean runtime` (0 when unknown). */
export function setupSecondsOf(task: TaskDefinition): number {
  return task.setupShare * (task.runtime?.meanSec ?? 0);
}

/**
 * Expected cost of preparing `task`, USD: its vCPUs during setup, plus its memory from the start of
 * the preparation until the step is expected to start (or the setup ends, if later).
 */
export function preparationCostUsd(task: TaskDefinition, startInSec: number, cfg: Pick<PrefetchSelectionConfig, 'usdPerVcpuHour' | 'usdPerGiBHour'>): number {
  const setup = setupSecondsOf(task);
  const r = task.resource_requirements;
  return (setup * r.vcpu * cfg.usdPerVcpuHour + Math.max(setup, startInSec) * r.memoryGiB * cfg.usdPerGiBHour) / 3600;
}

/**
 * Chooses the preparations to start now.
 *
 * Per chain, the `topN` predictions with `probability ≥ probabilityThreshold` are matched to a pending
 * step of that task type (the first by `task_id`); bundle members of a chosen root predicted at least
 * `minRootProbability` likely join with `probability × confidence`, expected their median lag after it. Steps that are `critical`, have no `prepare`, save no setup time or are
 * expected after `ttlSec` are rejected. Candidates are taken by priority (descending; ties by chain id
 * then task id) while they fit the vCPU and memory budget and `maxConcurrent` commands.
 * @param configInput the controller's `prefetch` settings, optionally with `budget` and prices;
 *   `enabled: false` selects nothing
 * @throws InputError when the configuration is invalid
 * @param nowSec tick time, epoch seconds (part of command ids, so a retried tick gives the same ids)
 * @param admitsStep the preparation feedback (core/predict/bundle-outcomes.ts): a predicted step of a
 *   task type it refuses is not prepared, though its bundle members still may be
 */
export function selectPrefetch(
  chains: readonly PrefetchChainInput[],
  configInput: PrefetchSelectionConfigInput,
  nowSec: number,
  bundles: readonly PrefetchBundle[] = [],
  admitsStep?: (workflow: string, taskType: string) => boolean,
): PrefetchSelection {
  const config = parsePrefetchConfig(configInput);
  if (!config.enabled) return { commands: [], decisions: [] };
  const decisions: PrefetchDecision[] = [];
  const candidates: Candidate[] = [];
  for (const chain of [...chains].sort((a, b) => cmp(a.chainId, b.chainId))) {
    const taken = new Set<string>();
    const consider = (taskType: string, probability: number, startInSec: number, via?: string, hold?: number): boolean => {
      const reject = (reason: string): false => {
        decisions.push({ chainId: chain.chainId, taskType, probability, chosen: false, reason });
        return false;
      };
      if (probability < config.probabilityThreshold) return reject(`probability ${probability.toFixed(3)} < threshold ${config.probabilityThreshold}`);
      const step = chain.pendingSteps
        .filter((s) => taskTypeOf(s.task) === taskType && !taken.has(s.task.task_id))
        .sort((a, b) => cmp(a.task.task_id, b.task.task_id))[0];
      if (!step) return reject('no pending step of this type');
      if (step.task.critical) return reject('critical step (side effects): never pre-executed');
      if (!step.task.prepare) return reject('no prepare phase');
      const savedSec = setupSecondsOf(step.task);
      if (savedSec <= 0) return reject('no setup time to save (setupShare or runtime unknown)');
      if (startInSec > config.ttlSec) return reject(`expected start in ${startInSec.toFixed(0)} s is after the ${config.ttlSec} s TTL`);
      if (hold !== undefined && startInSec - savedSec > hold) return reject(`its state would wait ${(startInSec - savedSec).toFixed(0)} s > the bundle's ${hold} s hold`);
      const costUsd = preparationCostUsd(step.task, startInSec, config);
      taken.add(step.task.task_id);
      candidates.push({ chainId: chain.chainId, taskType, task: step.task, poolId: step.poolId, probability, startInSec, savedSec, costUsd, priority: (probability * savedSec) / Math.max(costUsd, 1e-12), via });
      return true;
    };
    for (const p of chain.predictions.slice(0, config.topN)) {
      if (admitsStep && !admitsStep(chain.workflow, p.taskType)) {
        decisions.push({ chainId: chain.chainId, taskType: p.taskType, probability: p.probability, chosen: false, reason: 'its task type\'s preparations saved too little per wasted CPU-second (outcome feedback)' });
        if (p.probability < config.probabilityThreshold) continue;
      } else if (!consider(p.taskType, p.probability, p.expectedStartInSec)) continue;
      for (const b of bundles) {
        if (b.workflow !== chain.workflow || b.root !== p.taskType || p.probability < (b.minRootProbability ?? 0)) continue;
        b.members.forEach((m, i) => consider(m, p.probability * b.confidence, p.expectedStartInSec + (b.medianLagSec?.[i] ?? 0), b.root, b.maxHoldSec));
      }
    }
  }
  candidates.sort((a, b) => b.priority - a.priority || cmp(a.chainId, b.chainId) || cmp(a.task.task_id, b.task.task_id));
  const commands: PreExecuteCommand[] = [];
  let vcpu = 0;
  let mem = 0;
  for (const c of candidates) {
    const r = c.task.resource_requirements;
    const base = { chainId: c.chainId, taskType: c.taskType, taskId: c.task.task_id, probability: c.probability, priority: c.priority, ...(c.via ? { bundleRoot: c.via } : {}) };
    if (commands.length >= config.maxConcurrent) {
      decisions.push({ ...base, chosen: false, reason: `command budget ${config.maxConcurrent} used` });
      continue;
    }
    if (vcpu + r.vcpu > config.budget.vcpu || mem + r.memoryGiB > config.budget.memoryGiB) {
      decisions.push({ ...base, chosen: false, reason: `does not fit the budget (${r.vcpu} vCPU, ${r.memoryGiB} GiB; used ${vcpu}/${config.budget.vcpu} vCPU, ${mem}/${config.budget.memoryGiB} GiB)` });
      continue;
    }
    vcpu += r.vcpu;
    mem += r.memoryGiB;
    const reason = `p=${c.probability.toFixed(3)}${c.via ? ` (bundle of ${c.via})` : ''}, saves ${c.savedSec.toFixed(1)} s setup, costs ${c.costUsd.toFixed(6)} USD, priority ${c.priority.toFixed(1)}`;
    decisions.push({ ...base, chosen: true, reason });
    commands.push({
      kind: 'pre-execute',
      id: `pre-execute:${c.chainId}:${c.task.task_id}:${nowSec}`,
      poolId: c.poolId,
      reason,
      chainId: c.chainId,
      taskId: c.task.task_id,
      taskType: c.taskType,
      probability: c.probability,
      ttlSec: config.ttlSec,
      expectedStartInSec: c.startInSec,
      expectedSavedSec: c.savedSec,
      expectedCostUsd: c.costUsd,
    });
  }
  return { commands, decisions };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The selection config from the controller's prefetch settings (ControllerConfig.prefetch). */
export function prefetchSelectionFrom(cfg: ControllerConfig['prefetch']): PrefetchConfig {
  return parsePrefetchConfig({ probabilityThreshold: cfg.probabilityThreshold, topN: cfg.topN, maxConcurrent: cfg.maxConcurrent, ttlSec: cfg.ttlSec, latencyValueUsdPerHour: cfg.latencyValueUsdPerHour });
}
