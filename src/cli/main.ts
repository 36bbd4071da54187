/**
 * The `prescale` command-line program (composition root). Each command lives in ./commands and is
 * imported only when it runs (see commands/index.ts). Every error is one line on stderr: bad input
 * and bad usage (unknown flags, missing arguments) exit 2, internal failures exit 1.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../core/model/errors.js';
import { COMMANDS, registerCommands } from './commands/index.js';

/** The command the arguments name: the first non-flag argument (after `help`, the one it asks about). */
function commandNameOf(args: readonly string[]): string | undefined {
  const first = args.find((a) => !a.startsWith('-'));
  if (first === 'help') return args[args.indexOf('help') + 1];
  return first;
}

/** One line for any error thrown by a system call on a user's path (ENOENT, EISDIR, EACCES...). */
function systemErrorLine(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code)) return undefined;
  const what = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EISDIR' ? 'is a directory, expected a file' : e.code === 'EACCES' ? 'permission denied' : e.code;
  return e.path ? `${e.path}: ${what}` : e.message.split('\n')[0];
}

const program = new Command();
program
  .name('prescale')
  .description('Predictive, cost-aware capacity and workflow-composition controller for AWS.')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'prescale: ') + '\n') });
const name = commandNameOf(process.argv.slice(2));
await registerCommands(program, COMMANDS.some((c) => c.name === name) ? name : undefined);
for (const c of program.commands) c.exitOverride().configureOutput({ outputError: (str, write) => write(`prescale ${c.name()}: ${str.split('\n')[0].replace(/^error: /, '')} (see prescale ${c.name()} --help)\n`) });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version print and exit 0; usage errors were printed as one line by outputError
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof InputError) {
    process.stderr.write(`prescale: ${err.message}\n`);
    process.exit(2);
  }
  const sys = systemErrorLine(err);
  if (sys) {
    process.stderr.write(`prescale: ${sys}\n`);
    process.exit(2);
  }
  process.stderr.write(`prescale: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
