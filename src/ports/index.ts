/** Barrel of prescale's ports: interfaces only (DESIGN.md "Layout"). */
export * from './clock.js';
export * from './metrics-source.js';
export * from './event-source.js';
export * from './cloud-provider.js';
export * from './price-catalog.js';
export * from './state-store.js';
export * from './state-cache.js';
export * from './executor.js';
export * from './logger.js';
export * from './workflow-engine.js';
export * from './task-queue.js';
export * from './preparer.js';
export * from './step-router.js';
