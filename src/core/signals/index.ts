/** Barrel of the pure signal code: regularisation, timestamps, WfFormat traces, DAG helpers, arrivals. */
export * from './regularise.js';
export * from './timestamps.js';
export * from './runtime-stats.js';
export * from './dag.js';
export * from './wfformat-schema.js';
export * from './wfformat-derive.js';
export * from './wfformat.js';
export * from './trace-events.js';
export * from './trace-pool.js';
export * from './arrivals.js';
