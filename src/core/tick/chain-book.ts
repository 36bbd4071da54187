/**
 * The tick's view of running chains, rebuilt from execution events: which steps are submitted,
 * running or finished, their pools and resources (from the configured workflows), each chain's
 * step history for next-step prediction, and the units already committed per pool.
 */
import { poolOf, taskTypeOf, type ExecutionEvent, type TaskDefinition, type Workflow } from '../model/index.js';
import { progressRemainingSec, type StepProgress } from '../predict/intensity.js';

/** One step of a tracked chain. */
export interface TrackedStep {
  readonly def: TaskDefinition;
  readonly poolId: string;
  status: 'submitted' | 'started' | 'finished';
  startedAtSec?: number;
  /** issue 22 (intensity): the latest `progress` event of the running step. */
  progress?: StepProgress;
}

/** One chain being followed. */
export interface TrackedChain {
  readonly chainId: string;
  readonly workflow: string;
  /** The principal the chain runs for (the A/B arm's unit): from the first of its events that names one. */
  principal?: string;
  readonly steps: Map<string, TrackedStep>;
  /** Task types in start order. */
  readonly history: string[];
  running?: { taskType: string; startedAtSec: number };
  finishedSteps: number;
}

/** Expected timing of one step (see {@link ChainBook.schedule}). */
export interface StepTiming {
  readonly step: TrackedStep;
  readonly startSec: number;
  readonly releaseSec: number;
  readonly readySec: number;
}

/**
 * Measured runtime quantiles of a task type (issue 22: the persisted fingerprint's, once it has
 * enough runs), used in place of the task definition's `runtime` by {@link ChainBook.schedule}.
 */
export type StepRuntimeLookup = (workflow: string, taskType: string) => { readonly p50Sec: number; readonly p95Sec: number } | undefined;

/** Looks up task definitions by workflow, variant and task id. */
export class TaskCatalog {
  private readonly byKey = new Map<string, { def: TaskDefinition; poolId: string }>();
  /** Each definition's own key `workflow/variant/taskId` (the serialized memory names steps by it). */
  private readonly keyByDef = new Map<TaskDefinition, string>();

  constructor(workflows: readonly Workflow[]) {
    for (const w of workflows) {
      w.variants.forEach((v, i) => {
        for (const t of v.tasks) {
          const entry = { def: t, poolId: poolOf(v, t.task_id) };
          this.byKey.set(`${w.name}/${v.name}/${t.task_id}`, entry);
          if (!this.keyByDef.has(t)) this.keyByDef.set(t, `${w.name}/${v.name}/${t.task_id}`);
          if (i === 0) this.byKey.set(`${w.name}//${t.task_id}`, entry);
        }
      });
    }
  }

  /** The definition of a task, when the workflow is configured. */
  get(workflow: string, variant: string | undefined, taskId: string): { def: TaskDefinition; poolId: string } | undefined {
    return this.byKey.get(`${workflow}/${variant ?? ''}/${taskId}`) ?? this.byKey.get(`${workflow}//${taskId}`);
  }

  /** The key `workflow/variant/taskId` of a configured definition (undefined when not configured). */
  keyOf(def: TaskDefinition): string | undefined {
    return this.keyByDef.get(def);
  }

  /** The entry of a key from {@link keyOf} (undefined when the configuration no longer has it). */
  byDefKey(key: string): { def: TaskDefinition; poolId: string } | undefined {
    return this.byKey.get(key);
  }
}

/** A tracked step as plain data: its definition named by its catalog key (see {@link ChainBook.toJSON}). */
export interface TrackedStepJSON {
  readonly taskId: string;
  readonly def: string;
  readonly poolId: string;
  readonly status: TrackedStep['status'];
  readonly startedAtSec?: number;
  readonly progress?: StepProgress;
}

/** A tracked chain as plain data (see {@link ChainBook.toJSON}). */
export interface TrackedChainJSON {
  readonly chainId: string;
  readonly workflow: string;
  readonly principal?: string;
  readonly steps: readonly TrackedStepJSON[];
  readonly history: readonly string[];
  readonly running?: { readonly taskType: string; readonly startedAtSec: number };
  readonly finishedSteps: number;
}

/** Tracks chains from events. */
export class ChainBook {
  readonly chains = new Map<string, TrackedChain>();

  constructor(readonly catalog: TaskCatalog) {}

  /**
   * The chains as plain data, in insertion order; step definitions as catalog keys.
   * @throws Error when a step's definition is not in the catalog (never for steps ingested through it)
   */
  toJSON(): TrackedChainJSON[] {
    return [...this.chains.values()].map((c) => ({
      chainId: c.chainId, workflow: c.workflow, ...(c.principal !== undefined ? { principal: c.principal } : {}),
      steps: [...c.steps].map(([taskId, s]) => {
        const def = this.catalog.keyOf(s.def);
        if (def === undefined) throw new Error(`chain ${c.chainId}: step ${taskId} has a definition outside the catalog`);
        return { taskId, def, poolId: s.poolId, status: s.status, ...(s.startedAtSec !== undefined ? { startedAtSec: s.startedAtSec } : {}), ...(s.progress ? { progress: { ...s.progress } } : {}) };
      }),
      history: [...c.history], ...(c.running ? { running: { ...c.running } } : {}), finishedSteps: c.finishedSteps,
    }));
  }

  /**
   * Rebuilds a book saved by {@link toJSON} on `catalog` (the configured workflows).
   * @throws Error when a step's definition key is not in `catalog` (the workflows changed: rebuild from events)
   */
  static fromJSON(json: readonly TrackedChainJSON[], catalog: TaskCatalog): ChainBook {
    const book = new ChainBook(catalog);
    for (const c of json) {
      const steps = new Map<string, TrackedStep>();
      for (const s of c.steps) {
        const found = catalog.byDefKey(s.def);
        if (!found) throw new Error(`chain ${c.chainId}: task ${s.def} is not configured`);
        steps.set(s.taskId, { def: found.def, poolId: s.poolId, status: s.status, ...(s.startedAtSec !== undefined ? { startedAtSec: s.startedAtSec } : {}), ...(s.progress ? { progress: { ...s.progress } } : {}) });
      }
      book.chains.set(c.chainId, {
        chainId: c.chainId, workflow: c.workflow, ...(c.principal !== undefined ? { principal: c.principal } : {}), steps, history: [...c.history],
        ...(c.running ? { running: { ...c.running } } : {}), finishedSteps: c.finishedSteps,
      });
    }
    return book;
  }

  /**
   * Applies events in order; returns the `started` events (for prediction scoring).
   * Chains whose steps have all finished are dropped.
   */
  ingest(events: readonly ExecutionEvent[]): ExecutionEvent[] {
    const started: ExecutionEvent[] = [];
    for (const e of events) {
      let c = this.chains.get(e.chainId);
      if (!c) {
        c = { chainId: e.chainId, workflow: e.workflow, principal: e.principal, steps: new Map(), history: [], finishedSteps: 0 };
        this.chains.set(e.chainId, c);
      } else if (c.principal === undefined && e.principal !== undefined && e.principal !== '') {
        // a chain first seen through an event without its principal (AWS: a worker's event of an
        // execution compiled before principals were carried, or written before the engine's
        // submitted events reached the log) takes it from the first event that names it
        c.principal = e.principal;
      }
      let s = c.steps.get(e.taskId);
      // a step submitted again under another variant (the chain switched variants: its remaining
      // steps are cancelled and resubmitted there) is that variant's step, on that variant's pool
      const rebound = s !== undefined && e.kind === 'submitted' && s.status !== 'finished' && e.variant !== undefined;
      if (!s || rebound) {
        const found = this.catalog.get(e.workflow, e.variant, e.taskId);
        if (!found && !s) continue;
        if (found && (!s || found.def !== s.def || found.poolId !== s.poolId)) {
          s = { def: found.def, poolId: found.poolId, status: 'submitted' };
          c.steps.set(e.taskId, s);
        }
      }
      if (!s) continue;
      if (e.kind === 'started' && s.status !== 'started') {
        if (s.startedAtSec === undefined) {
          c.history.push(taskTypeOf(s.def));
          started.push(e);
        }
        s.status = 'started';
        s.startedAtSec = e.atSec;
        s.progress = undefined;
        c.running = { taskType: taskTypeOf(s.def), startedAtSec: e.atSec };
      } else if (e.kind === 'progress' && s.status === 'started' && e.intensity !== undefined && Number.isFinite(e.intensity) && e.intensity >= 0 && e.intensity <= 1) {
        // issue 22 (intensity): workers report the fraction done of long steps
        s.progress = { fraction: e.intensity, atSec: e.atSec };
      } else if (e.kind === 'failed' && s.status === 'started') {
        s.status = 'submitted';
      } else if (e.kind === 'finished' && s.status !== 'finished') {
        s.status = 'finished';
        c.finishedSteps++;
        if (c.finishedSteps === c.steps.size) this.chains.delete(c.chainId);
      }
    }
    return started;
  }

  /** vCPU of steps running or runnable (all dependencies finished) per pool. */
  committedUnitsByPool(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.chains.values()) {
      for (const s of c.steps.values()) {
        if (s.status === 'finished') continue;
        const runnable = s.status === 'started' || s.def.dependencies.every((d) => c.steps.get(d)?.status === 'finished');
        if (runnable) out.set(s.poolId, (out.get(s.poolId) ?? 0) + s.def.resource_requirements.vcpu);
      }
    }
    return out;
  }

  /**
   * Expected timing of every unfinished step of `c` from the workflow DAG and the tasks' median
   * runtimes: `startSec` (started: when it started; runnable: now; blocked: the latest `readySec`
   * of its dependencies), `releaseSec` (when its capacity is expected back: start + median runtime;
   * for a started step already past its median, start + p95 runtime; Infinity when unknown or past
   * its p95) and `readySec` (when its children may start: never before now). Steps depending on a
   * step of unknown runtime are left out. With `useProgress` (issue 22, intensity), a started step
   * with a trustworthy progress report ends when the report says (core/predict/intensity.ts
   * `progressRemainingSec`: elapsed × (1 − f) ÷ f, at most its p95, at least 1 s from now); with
   * `'earlier'`, at most its runtime estimate without progress (progress only brings the end earlier).
   * `runtimeOf` (the fingerprint's measured runtimes) wins over a definition's `runtime` where it
   * knows the task type.
   */
  schedule(c: TrackedChain, nowSec: number, useProgress: boolean | 'earlier' = true, runtimeOf?: StepRuntimeLookup): Map<string, StepTiming> {
    const out = new Map<string, StepTiming>();
    const visiting = new Set<string>();
    const timing = (id: string): StepTiming | null | undefined => {
      const s = c.steps.get(id);
      if (!s) return undefined;
      if (s.status === 'finished') return null;
      const known = out.get(id);
      if (known) return known;
      if (visiting.has(id)) return undefined;
      visiting.add(id);
      const rt = runtimeOf?.(c.workflow, taskTypeOf(s.def)) ?? s.def.runtime;
      const p50 = rt?.p50Sec;
      let startSec: number | undefined;
      if (s.status === 'started' && s.startedAtSec !== undefined) startSec = s.startedAtSec;
      else {
        startSec = nowSec;
        for (const d of s.def.dependencies) {
          const t = timing(d);
          if (t === undefined) { startSec = undefined; break; }
          if (t !== null) startSec = Math.max(startSec, t.readySec);
        }
      }
      visiting.delete(id);
      if (startSec === undefined || !Number.isFinite(startSec)) return undefined;
      // a started step past its median is expected to end by its p95 (the conditional estimate the
      // runtime quantiles allow); past its p95 its end is unknown (held, children may start now)
      const p95 = rt?.p95Sec;
      let endSec = p50 === undefined ? Infinity : startSec + p50;
      if (s.status === 'started' && endSec <= nowSec && p95 !== undefined && startSec + p95 > nowSec) endSec = startSec + p95;
      if (useProgress && s.status === 'started' && s.progress) { // issue 22 (intensity): the end its progress says, within its p95
        // 'earlier': only ever brought earlier than the runtime estimate (median, or p95 past the median)
        const capEndSec = useProgress === 'earlier' ? endSec : p95 === undefined ? Infinity : startSec + p95;
        const r = progressRemainingSec(startSec, nowSec, s.progress, capEndSec > nowSec ? capEndSec : Infinity);
        if (r !== undefined) endSec = nowSec + Math.max(1, r);
      }
      const t: StepTiming = { step: s, startSec, releaseSec: endSec > nowSec ? endSec : Infinity, readySec: Math.max(nowSec, endSec) };
      out.set(id, t);
      return t;
    };
    for (const id of c.steps.keys()) timing(id);
    return out;
  }

  /** Steps of `c` not started yet whose dependencies are not all finished (the future of the chain). */
  futureSteps(c: TrackedChain): TrackedStep[] {
    return [...c.steps.values()].filter((s) => s.status === 'submitted' && !s.def.dependencies.every((d) => c.steps.get(d)?.status === 'finished'));
  }
}
