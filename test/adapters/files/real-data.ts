/**
 * Location of the shared real data sets (`../shared/data` from the repository root; never copied
 * into the repository) for tests that read them.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `../shared/data` relative to the repository root. */
export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');

/** True when the shared data sets are present (they are outside the repository). */
export const HAVE_DATA = existsSync(join(DATA_DIR, 'README.md'));

/** Absolute path of a file under the shared data directory. */
export function dataPath(...parts: string[]): string {
  return join(DATA_DIR, ...parts);
}
