/**
 * Registers every CLI command. Add one import and one call per command file.
 */
import type { Command } from 'commander';
import { registerServe } from './serve.js';

/** Adds all prescale commands to `program`. */
export function registerCommands(program: Command): void {
  void program;
  registerServe(program);
}
