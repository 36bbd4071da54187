/**
 * The CLI's file arguments: every flag that takes files also takes directories (walked for the files
 * it reads, sorted, so runs are reproducible), and a path that is missing, unreadable or of the wrong
 * kind stops with one line naming the flag. Used by `backtest` and `signals`.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/model/errors.js';

function stat(path: string, flag: string, what: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new InputError({ field: flag }, path, `an existing ${what}`);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Expands the paths of a flag: files are kept, directories are replaced by the files under them
 * whose names end with one of `extensions` (recursively, in name order).
 * @param what the files in words, e.g. "metric file (CSV or get-metric-data JSON)"
 * @throws InputError naming `flag` for a missing path or a directory with no such file
 */
export function expandFiles(paths: readonly string[], flag: string, extensions: readonly string[], what: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const s = stat(p, flag, `${what} or a directory of them`);
    if (!s.isDirectory()) {
      out.push(p);
      continue;
    }
    const found = walk(p).filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)));
    if (found.length === 0) throw new InputError({ field: flag }, p, `a ${what} or a directory holding ${extensions.map((e) => `*${e}`).join(' or ')} files`);
    out.push(...found);
  }
  return out;
}

/**
 * One file for a flag: the file itself, or the single matching file of a directory.
 * @throws InputError naming `flag` for a missing path, or a directory with none or several matching files
 */
export function oneFile(path: string, flag: string, extensions: readonly string[], what: string): string {
  const files = expandFiles([path], flag, extensions, what);
  if (files.length > 1) throw new InputError({ field: flag }, path, `one ${what}; the directory holds ${files.length} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''})`);
  return files[0];
}

/**
 * A directory for a flag.
 * @param what the directory in words, without an article ("report directory")
 * @throws InputError naming `flag` when `path` is missing or is a file
 */
export function existingDir(path: string, flag: string, what: string): string {
  if (!stat(path, flag, what).isDirectory()) throw new InputError({ field: flag }, path, `a ${what}, not a file`);
  return path;
}
