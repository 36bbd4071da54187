/**
 * The `prescale` command-line program (composition root). Each command lives in ./commands and
 * registers itself here; errors are printed as one line and exit non-zero.
 */
import { Command } from 'commander';
import { InputError } from '../core/model/errors.js';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('prescale')
  .description('Predictive, cost-aware capacity and workflow-composition controller for AWS.')
  .version('0.1.0')
  .showHelpAfterError();
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof InputError) {
    process.stderr.write(`prescale: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`prescale: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
