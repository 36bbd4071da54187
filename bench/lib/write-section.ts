/**
 * Writes one benchmark's results into its own section of docs/benchmarks.md, between
 * `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`, leaving other sections untouched.
 * Each section starts with the machine and date it was measured on.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';

/** Describes the machine: CPU model, cores, memory, Node version. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/**
 * Replaces (or appends) section `name` of `docs/benchmarks.md` with `markdown`.
 * @param name section id, e.g. "forecast"
 * @param title heading shown for the section
 * @param markdown body (tables, notes); the machine and date line is added in front
 * @param command the command that reproduces it
 */
export function writeBenchSection(name: string, title: string, markdown: string, command: string, file = 'docs/benchmarks.md'): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const date = new Date().toISOString().slice(0, 10);
  const body = `${start}\n## ${title}\n\nMeasured ${date} on ${machineLine()} with \`${command}\`.\n\n${markdown.trim()}\n${end}`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEvery figure here is written by a benchmark script; rerun the command under a section to refresh it.\n';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i) + body + doc.slice(j + end.length);
  else doc = `${doc.trimEnd()}\n\n${body}\n`;
  writeFileSync(file, doc);
}
