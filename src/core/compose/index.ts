/**
 * The workflow composer (seed 003, components 3 and 4): authorization, scoring, selection, fallback,
 * DAG assembly and re-scoring for variant switches.
 *
 * Entry points:
 * - {@link composeWorkflow}`(input: ComposeInput): ComposeResult`
 * - {@link rescoreForSwitch}`(input: SwitchInput): SwitchResult`
 * - {@link availabilityFromOfferings} to build a pool's availability from offerings.
 */
export * from './types.js';
export * from './authorize.js';
export * from './estimate.js';
export * from './score.js';
export * from './assemble.js';
export * from './retry.js';
export * from './availability.js';
export * from './behaviour.js';
export { composeWorkflow, composerOptions, estimatedStartSec, type ComposeInput } from './compose.js';
export { rescoreForSwitch, describeTrigger, type SwitchInput, type SwitchResult } from './switch.js';
