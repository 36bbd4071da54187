/** The ASL compiler and what its users need around it (names, checkpoints, step messages, errors). */
export * from './asl.js';
export * from './checkpoint.js';
export * from './compile.js';
export * from './deploy-targets.js';
export * from './errors.js';
export * from './message.js';
export * from './names.js';
export { sha256Hex } from './sha256.js';
