/**
 * Loads the chain service configuration the way `prescale serve` and the Lambda chain API both do
 * (issue 15): JSON from a file, zod strict parse, the start-time checks of
 * {@link parseChainServiceConfig}, and the {@link TaskRootPolicy} every code location must pass.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseChainServiceConfig } from '../../app/chains/config-check.js';
import type { ChainServiceConfig } from '../../app/chains/config.js';
import { InputError } from '../../core/model/index.js';
import { AjvSchemaChecker } from '../schema/ajv-schema-checker.js';
import { TaskRootPolicy, allowedCommandLocations } from './code-policy.js';

/** A checked configuration and the code policy built from it. */
export interface LoadedChainConfig {
  readonly config: ChainServiceConfig;
  readonly code: TaskRootPolicy;
}

/**
 * Reads and checks a configuration file.
 * @param file the configuration file
 * @param defaultRoot the task root when the config sets none (`serve`: the config file's directory; Lambda: the bundle)
 * @throws InputError naming the file and the failing field
 */
export function loadChainConfig(file: string, defaultRoot = dirname(resolve(file))): LoadedChainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError({ file }, (e as Error).message, 'a readable JSON chain service configuration (see `prescale serve --help`)');
  }
  const schemas = new AjvSchemaChecker();
  // First the shapes (no code policy yet: the task root itself is configured here).
  const shaped = parseChainServiceConfig(raw, { schemas }, file);
  const rootSetting = shaped.taskRoot ?? shaped.taskBaseDir;
  const root = rootSetting ? resolve(dirname(resolve(file)), rootSetting) : defaultRoot;
  let code: TaskRootPolicy;
  try {
    code = new TaskRootPolicy(root, allowedCommandLocations(shaped));
  } catch (e) {
    throw new InputError({ file, field: shaped.taskRoot ? 'taskRoot' : 'taskBaseDir' }, root, `an existing task root directory (${(e as Error).message})`);
  }
  return { config: parseChainServiceConfig(raw, { schemas, code }, file), code };
}
