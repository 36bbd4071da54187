/**
 * Reads WfCommons WfFormat JSON files (or directories of them) into {@link WorkflowTrace}s.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../core/model/errors.js';
import { parseWfFormat, type WfFormatOptions, type WorkflowTrace } from '../../core/signals/wfformat.js';

/**
 * Reads every given file, and every `*.json` file under every given directory (recursively).
 * Files are read in sorted path order (directories walked in sorted order), so the result is the
 * same on every machine.
 * @param pathsOrDirs files and/or directories
 * @throws InputError for a path that does not exist, a file that is not valid JSON, a directory with
 *   no `.json` file, or any WfFormat error (see parseWfFormat)
 */
export async function readWorkflowTraces(pathsOrDirs: readonly string[], opts: WfFormatOptions = {}): Promise<WorkflowTrace[]> {
  const files: string[] = [];
  for (const p of pathsOrDirs) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new InputError({ file: p }, p, 'an existing WfFormat .json file or a directory of them');
    if (st.isDirectory()) {
      const found = await listJsonFiles(p);
      if (found.length === 0) throw new InputError({ file: p }, 'no .json files', 'a directory holding WfFormat .json files');
      files.push(...found);
    } else files.push(p);
  }
  const unique = [...new Set(files)].sort();
  const traces: WorkflowTrace[] = [];
  for (const file of unique) traces.push(await readWorkflowTraceFile(file, opts));
  return traces;
}

/** Reads one WfFormat file. @throws InputError on invalid JSON or WfFormat errors */
export async function readWorkflowTraceFile(file: string, opts: WfFormatOptions = {}): Promise<WorkflowTrace> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, (e as Error).message, 'valid JSON (a WfCommons WfFormat document)');
  }
  return parseWfFormat(doc, file, opts);
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listJsonFiles(full)));
    else if (e.isFile() && e.name.toLowerCase().endsWith('.json')) out.push(full);
  }
  return out;
}
