/** Market model: offerings, prices, interruption hazards and launch lead times (issue 6). */
export * from './types.js';
export * from './hazard.js';
export * from './lead-time.js';
export * from './price-table.js';
export * from './offerings.js';
