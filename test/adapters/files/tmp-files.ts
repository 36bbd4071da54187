/**
 * Temporary files for adapter tests: each call writes into a fresh sub-directory of one temp root,
 * removed after the test file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

/** Returns a writer `(relativePath, text) => absolutePath` whose files vanish after the test file. */
export function tempFiles(prefix: string): { write: (name: string, text: string) => string; dir: () => string } {
  const root = mkdtempSync(join(tmpdir(), `prescale-${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const dir = () => {
    const d = join(root, String(n++));
    mkdirSync(d);
    return d;
  };
  return {
    dir,
    write: (name, text) => {
      const path = join(dir(), name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
  };
}
