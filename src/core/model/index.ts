/** Barrel of prescale's domain model (DESIGN.md "Domain words"). */
export * from './errors.js';
export * from './random.js';
export * from './series.js';
export * from './forecast.js';
export * from './task.js';
export * from './workflow.js';
export * from './principal.js';
export * from './pool.js';
export * from './offering.js';
export * from './capacity.js';
export * from './command.js';
export * from './plan.js';
export * from './events.js';
export * from './decision.js';
export * from './config.js';
export * from './route.js';
