/**
 * Configuration of the chain service and `prescale serve`, parsed once at the edge with zod
 * (DESIGN.md rule 5).
 */
import { z } from 'zod';
import { CapacityPoolSchema, PolicySchema, PrincipalSchema, WorkflowSchema } from '../../core/model/index.js';

/** Free capacity and prices of one pool as configured (a static availability profile). */
export const PoolAvailabilityConfigSchema = z.object({
  /** Free capacity units (vCPU) for chain steps. */
  availableUnits: z.number().nonnegative(),
  spotUsdPerUnitHour: z.number().nonnegative().optional(),
  spotInterruptionHazardPerHour: z.number().nonnegative().optional(),
  onDemandUsdPerUnitHour: z.number().nonnegative().optional(),
});

/** Composer settings (see core/compose ComposerOptions). */
export const ComposerConfigSchema = z.object({
  weights: z.object({ probability: z.number().nonnegative(), fit: z.number().nonnegative(), cost: z.number().nonnegative() }).default({ probability: 0.4, fit: 0.3, cost: 0.3 }),
  formula: z.string().min(1).optional(),
  minFit: z.number().min(0).max(1).default(1),
  fallback: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('queue'), maxQueueWaitSec: z.number().positive().optional() }),
    z.object({ kind: z.literal('request-capacity') }),
  ]).default({ kind: 'queue' }),
  defaultRuntimeSec: z.number().positive().default(60),
});

/** The chain service's configuration. */
export const ChainServiceConfigSchema = z.object({
  pools: z.array(CapacityPoolSchema).min(1),
  /** The workflow catalog `POST /chains {"workflow": name}` refers to. */
  workflows: z.array(WorkflowSchema).default([]),
  principals: z.array(PrincipalSchema).default([]),
  policies: z.array(PolicySchema).default([]),
  /** Bearer token → principal id (local authentication; API Gateway + IAM/Cognito in AWS). */
  tokens: z.record(z.string().min(8), z.string().min(1)).default({}),
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
  /** Principal ids or groups allowed to post pool signals (`POST /pools/{pool_id}/signals`). */
  operators: z.array(z.string().min(1)).default([]),
  /** Directory `module:`/`command:` locations resolve against; default: the config file's directory. */
  taskBaseDir: z.string().optional(),
});
/** The chain service's configuration (defaults applied). */
export type ChainServiceConfig = z.infer<typeof ChainServiceConfigSchema>;
/** The chain service's configuration as written. */
export type ChainServiceConfigInput = z.input<typeof ChainServiceConfigSchema>;
