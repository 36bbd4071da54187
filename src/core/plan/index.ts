/** Capacity and market planning (issue 6). */
export * from './types.js';
export * from './demand.js';
export * from './queue-drain.js';
export * from './known-steps.js';
export * from './burst.js';
export * from './fleet.js';
export * from './commands.js';
export * from './frame.js';
export * from './greedy.js';
export * from './lp-format.js';
export * from './milp.js';
export * from './milp-model.js';
export * from './milp-types.js';
export * from './spot-signals.js';
export * from './cache-sizing.js';
export * from './milp-explain.js';
export * from './milp-bound.js';
