/** Task registry: pure validation of workflows, variants and task DAGs. */
export * from './graph.js';
export * from './validate.js';
