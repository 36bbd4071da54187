/**
 * Entry point of the worker bundle the CDK stack ships to the pools' instances (cdk/lib/worker-bundle.ts):
 * only `prescale worker`, with the CLI's error conventions (one line on stderr; bad input and usage
 * exit 2, internal failures exit 1). Usage: `node prescale-worker.mjs worker --pool ID --queue-url URL …`.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../core/model/errors.js';
import { registerWorker } from './commands/worker.js';

const program = new Command();
program.name('prescale').description('prescale worker bundle').exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'prescale: ') + '\n') });
registerWorker(program);
for (const c of program.commands) c.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`prescale: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof InputError ? 2 : 1);
}
