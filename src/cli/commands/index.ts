/**
 * Registers every CLI command. Add one import and one call per command file.
 */
import type { Command } from 'commander';

/** Adds all prescale commands to `program`. */
export function registerCommands(program: Command): void {
  void program;
}
