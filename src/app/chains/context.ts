/** What the chain service and its execution runners share: ports, engine and configuration. */
import type { ComposerOptions } from '../../core/compose/index.js';
import type { Principal } from '../../core/model/index.js';
import type { SchemaChecker } from '../../core/registry/index.js';
import type { Clock, Logger, StateStore } from '../../ports/index.js';
import type { CodeAdmission } from '../../ports/executor.js';
import type { ServePreparer } from '../prefetch/local-preparer.js';
import type { CapacityMonitor } from './capacity-monitor.js';
import type { ChainServiceConfig } from './config.js';
import type { ChainEngine } from './engine.js';

/** Validates documents against JSON Schemas (ajv in src/adapters/schema). */
export interface DocumentValidator extends SchemaChecker {
  /** undefined when `doc` satisfies `schema`, else the failing field (JSON pointer) and reason. */
  validate(schema: Readonly<Record<string, unknown>>, doc: unknown): { field: string; reason: string } | undefined;
}

/** Dependencies of the chain service. */
export interface ChainServiceDeps {
  readonly store: StateStore;
  /**
   * Where executions run: the workflow engine and the pools' targets (createEmbeddedEngine in
   * src/adapters/engine for `serve` and tests; Step Functions in AWS). The service closes it.
   */
  readonly engine: ChainEngine;
  /** Which code locations may run (the task root and the operator's `commandTasks`); asked at chain creation and every trigger. */
  readonly code: CodeAdmission;
  /** This process's runner id in execution leases (default: a new id); unique per process. */
  readonly ownerId?: string;
  readonly clock: Clock;
  readonly monitor: CapacityMonitor;
  readonly schemas: DocumentValidator;
  readonly config: ChainServiceConfig;
  /** New unique ids (chain and execution ids). */
  readonly newId: () => string;
  readonly logger: Logger;
  /**
   * Prepares steps ahead through the Preparer port (absent: every step runs cold): the local preparer
   * (src/app/prefetch/local-preparer.ts) over a prefetch manager. A step the machine has reached but
   * whose pool has no free unit is handed to it while it waits; the worker then resumes it from the
   * cached state on a hit (also one prepared before a restart, since the state lives in the cache).
   * The runners tell it which engine executions they follow. Give its manager to the embedded
   * engine's workers.
   */
  readonly preparer?: ServePreparer;
}

/** Shared state of one service instance. */
export interface ChainContext extends ChainServiceDeps {
  readonly composer: Partial<ComposerOptions>;
  readonly ownerId: string;
  /** The configured principal of an id; undefined when the configuration has none. */
  principal(id: string): Principal | undefined;
  /** USD charged to `principalId` by executions triggered in the last hour. */
  spentUsdLastHour(principalId: string): Promise<number>;
  /** Charges `usd` of an execution (its expected cost, or actual cost beyond what was charged) to `principalId`'s spend of the last hour. */
  chargeSpend(principalId: string, executionId: string, usd: number): Promise<void>;
}
