/**
 * The Chain API's JSON body parser (issue 15): every body is untrusted, so before `JSON.parse` its
 * nesting depth is measured without recursion (a 10,000-deep `input` is a 400, not a stack
 * overflow), and after it any `__proto__` key, or `constructor` key holding a `prototype`, is refused
 * (the keys secure-json-parse refuses; a copy by `Object.assign` would otherwise set a prototype).
 */
import { InputError } from '../../core/model/index.js';

/** Deepest nesting of `[`/`{` in JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The path of the first prototype-polluting key in a parsed document, iteratively; undefined when none. */
export function forbiddenKeyPath(doc: unknown): { path: string; key: string } | undefined {
  const stack: Array<{ v: unknown; path: string }> = [{ v: doc, path: 'body' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]` }));
      continue;
    }
    for (const k of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[k];
      if (k === '__proto__') return { path: `${path}.${k}`, key: k };
      if (k === 'constructor' && child !== null && typeof child === 'object' && Object.prototype.hasOwnProperty.call(child, 'prototype')) return { path: `${path}.${k}.prototype`, key: 'constructor.prototype' };
      stack.push({ v: child, path: `${path}.${k}` });
    }
  }
  return undefined;
}

/**
 * Parses a request body.
 * @throws InputError (400) naming `body` (not JSON, too deep: the limit `limits.maxJsonDepth`) or the
 *   path of a forbidden key
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) throw new InputError({ field: 'body' }, `JSON nested more than ${maxDepth} levels deep`, `JSON nested at most ${maxDepth} levels deep (limits.maxJsonDepth)`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError({ field: 'body' }, text.length === 0 ? '' : (e as Error).message, 'a JSON document (Content-Type: application/json)');
  }
  const bad = forbiddenKeyPath(doc);
  if (bad) throw new InputError({ field: bad.path }, bad.key, `no "${bad.key}" key (prototype keys are refused in request bodies)`);
  return doc;
}
