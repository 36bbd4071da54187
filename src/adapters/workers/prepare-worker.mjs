// Piscina worker that runs one task's side-effect-free `prepare` phase in an isolated worker thread.
// Plain JavaScript (not TypeScript) so it loads in any runner (node, tsx, vitest) without a loader.
// Input: { location, baseDir, input, taskId }. `location` is `module:<path>#<export>` (path relative to
// baseDir, or absolute, or a package name). The export is called with the input (a structured clone
// of the live input, so the live chain's data can never be changed) and `{ taskId }` (as the local
// executor passes it) and may return a Buffer /
// Uint8Array (kept as is) or any JSON-serialisable value (stored as UTF-8 JSON).
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { Buffer } from 'node:buffer';

const loaded = new Map();

function parseLocation(location) {
  const m = /^module:([^#]+)#([A-Za-z_$][\w$]*)$/.exec(location);
  if (!m) throw new Error(`prepare location ${JSON.stringify(location)}: expected module:<path>#<export>`);
  return { spec: m[1], name: m[2] };
}

export default async function prepare({ location, baseDir, input, taskId }) {
  const { spec, name } = parseLocation(location);
  const url = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(baseDir, spec)).href : spec;
  let mod = loaded.get(url);
  if (!mod) {
    mod = await import(url);
    loaded.set(url, mod);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`prepare location ${location}: export ${name} is not a function`);
  const out = await fn(input, { taskId });
  if (out instanceof Uint8Array) return out;
  const json = JSON.stringify(out ?? null);
  return Buffer.from(json, 'utf8');
}
