/**
 * Configuration of the chain service and `prescale serve`, parsed once at the edge with zod
 * (DESIGN.md rule 5). Every object is strict: an unknown key (`tokenz`) is an error naming it, at
 * every depth (see {@link parseChainServiceConfig}).
 */
import { z } from 'zod';
import { CapacityPoolSchema, PolicySchema, PrincipalSchema, TaskDefinitionSchema, WorkflowSchema } from '../../core/model/index.js';
import { PrefetchConfigSchema } from '../../core/model/config.js';
import { FingerprintConfigSchema } from '../../core/model/learning-config.js';

/** Free capacity and prices of one pool as configured (a static availability profile). */
export const PoolAvailabilityConfigSchema = z.strictObject({
  /** Free capacity units (vCPU) for chain steps. */
  availableUnits: z.number().nonnegative(),
  spotUsdPerUnitHour: z.number().nonnegative().optional(),
  spotInterruptionHazardPerHour: z.number().nonnegative().optional(),
  onDemandUsdPerUnitHour: z.number().nonnegative().optional(),
});

/** Composer settings (see core/compose ComposerOptions). */
export const ComposerConfigSchema = z.strictObject({
  weights: z.strictObject({ probability: z.number().nonnegative(), fit: z.number().nonnegative(), cost: z.number().nonnegative() }).default({ probability: 0.4, fit: 0.3, cost: 0.3 }),
  formula: z.string().min(1).optional(),
  minFit: z.number().min(0).max(1).default(1),
  fallback: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('queue'), maxQueueWaitSec: z.number().positive().optional() }),
    z.strictObject({ kind: z.literal('request-capacity') }),
  ]).default({ kind: 'queue' }),
  defaultRuntimeSec: z.number().positive().default(60),
});

/**
 * Shortest bearer token accepted in `tokens`: 16 characters (with 64 symbols, 96 bits; OWASP's
 * Session Management Cheat Sheet asks for at least 64 bits of entropy in a session identifier).
 */
export const MIN_TOKEN_LENGTH = 16;

/** Limits on what one caller may send (each named in the 400 that enforces it). */
export const ChainLimitsSchema = z.strictObject({
  /** Largest request body, bytes. */
  maxBodyBytes: z.number().int().positive().max(64 * 1024 * 1024).default(1024 * 1024),
  /** Deepest nesting of arrays and objects in a request body. */
  maxJsonDepth: z.number().int().min(4).max(1000).default(64),
  /** Most tasks in one submitted variant. */
  maxTasksPerVariant: z.number().int().positive().max(10_000).default(100),
  /** Most variants in one submitted chain. */
  maxVariants: z.number().int().positive().max(100).default(10),
});

/** Caller-declared runtimes (used only for a task type without history) are clamped to this range. */
export const DeclaredRuntimeBoundsSchema = z.strictObject({
  /** Floor of a declared mean runtime, seconds (default: the composer's `defaultRuntimeSec`). */
  minSec: z.number().positive().optional(),
  /** Ceiling of a declared mean runtime, seconds (default: the task's `timeoutSec`). */
  maxSec: z.number().positive().optional(),
});

/**
 * The worker channel of `prescale serve` (issue 20): pools whose steps are taken by separate
 * `prescale worker --pool ID --serve-url URL` processes instead of in-process workers, and the bearer
 * tokens those workers present (kept as SHA-256 digests, compared in constant time).
 */
export const WorkerChannelConfigSchema = z.strictObject({
  /** EC2 pool ids served to remote workers (no in-process worker runs for them). */
  remotePools: z.array(z.string().min(1)).min(1),
  /** Worker tokens, at least {@link MIN_TOKEN_LENGTH} characters each. */
  tokens: z.array(z.string().min(1)).min(1),
});

/** The chain service's configuration. */
export const ChainServiceConfigSchema = z.strictObject({
  pools: z.array(CapacityPoolSchema).min(1),
  /** The workflow catalog `POST /chains {"workflow": name}` refers to. */
  workflows: z.array(WorkflowSchema).default([]),
  /**
   * The task registry: the operator's task definitions (their code locations). A submitted chain's
   * tasks reference these by `task_id`; callers never send code locations.
   */
  tasks: z.array(TaskDefinitionSchema).default([]),
  /**
   * Registered task ids (registry or catalog) allowed a `command:` location (run with `sh -c`).
   * Empty (the default): no `command:` task runs.
   */
  commandTasks: z.array(z.string().min(1)).default([]),
  principals: z.array(PrincipalSchema).default([]),
  policies: z.array(PolicySchema).default([]),
  /** Bearer token → principal id (local authentication; API Gateway + IAM/Cognito in AWS). */
  tokens: z.record(z.string(), z.string().min(1)).default({}),
  /** Static availability per pool id. */
  availability: z.record(z.string(), PoolAvailabilityConfigSchema).default({}),
  composer: ComposerConfigSchema.default({ weights: { probability: 0.4, fit: 0.3, cost: 0.3 }, minFit: 1, fallback: { kind: 'queue' }, defaultRuntimeSec: 60 }),
  /** Behaviour model table: `variant` or `principalId/variant` → probability. */
  behaviour: z.record(z.string(), z.number().min(0).max(1)).default({}),
  /** A step running longer than this × its p95 runtime triggers a switch. */
  overrunFactor: z.number().min(1).default(2),
  /** Queued executions one principal may have before triggers get 429. */
  maxQueuedPerPrincipal: z.number().int().positive().default(10),
  /** Seconds between re-compositions of a queued execution and between monitor checks. */
  pollSec: z.number().positive().default(1),
  /**
   * Seconds an execution's lease lasts (one runner per execution across processes sharing a store);
   * renewed every third of it while the runner runs, taken over by another process only once expired.
   */
  leaseSec: z.number().positive().max(3600).default(30),
  /** Principal ids or groups allowed to post pool signals (`POST /pools/{pool_id}/signals`). */
  operators: z.array(z.string().min(1)).default([]),
  /**
   * The task root: every `module:` location (and `command:` working directory) resolves under this
   * directory after `realpath`; anything outside is refused. Default: the config file's directory.
   */
  taskRoot: z.string().optional(),
  /** Former name of `taskRoot` (still accepted). */
  taskBaseDir: z.string().optional(),
  limits: ChainLimitsSchema.default({ maxBodyBytes: 1024 * 1024, maxJsonDepth: 64, maxTasksPerVariant: 100, maxVariants: 10 }),
  declaredRuntime: DeclaredRuntimeBoundsSchema.default({}),
  /** Separate worker processes for some pools (absent: every pool runs on in-process workers). */
  workerChannel: WorkerChannelConfigSchema.optional(),
  /**
   * The learning loop of `prescale serve` (issue 22, src/app/prefetch/serve-learning.ts): the
   * controller config's `prefetch` settings (selection, `bundles`, `feedback`, `abTest`), applied to
   * serve's own step events. @default the controller's defaults (enabled, threshold 0.5, top-2)
   */
  prefetch: z.strictObject(PrefetchConfigSchema.shape).default({ enabled: true, probabilityThreshold: 0.5, topN: 2, maxConcurrent: 8, ttlSec: 900, latencyValueUsdPerHour: 0 }),
  /** Seconds between rounds of serve's learning loop (observe, predict, prefetch). */
  learningIntervalSec: z.number().positive().max(3600).default(5),
  /**
   * The persisted fingerprint under `prescale serve` (issue 22; the controller config's `fingerprint`):
   * built from serve's step events by its learning loop, saved in serve's state store (what
   * `prescale signals --fingerprint W --db FILE` reads), its edges the next-step model's prior.
   * @default enabled, 7 days
   */
  fingerprint: FingerprintConfigSchema.default({ enabled: true, windowDays: 7, minRuns: 20, runtimes: true, prior: true }),
});
/** The chain service's configuration (defaults applied). */
export type ChainServiceConfig = z.infer<typeof ChainServiceConfigSchema>;
/** The chain service's configuration as written. */
export type ChainServiceConfigInput = z.input<typeof ChainServiceConfigSchema>;
