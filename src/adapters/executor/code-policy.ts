/**
 * What code the local executor may run (issue 15): `module:` files under the task root after
 * `realpath` (so neither `..`, an absolute path elsewhere nor a symlink leaves it), and `command:`
 * locations only when the operator registered that exact location for a task id named in
 * `commandTasks`. Any other scheme is refused.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CodeAdmission } from '../../ports/executor.js';

/** The parts of the chain service configuration that register code. */
export interface CodeRegistryConfig {
  readonly tasks: ReadonlyArray<{ readonly task_id: string; readonly executable_code_location: string; readonly prepare?: string }>;
  readonly workflows: ReadonlyArray<{ readonly variants: ReadonlyArray<{ readonly tasks: ReadonlyArray<{ readonly task_id: string; readonly executable_code_location: string; readonly prepare?: string }> }> }>;
  readonly commandTasks: readonly string[];
}

/** The `command:` locations the operator allowed: those of registered (or catalog) tasks named in `commandTasks`. */
export function allowedCommandLocations(config: CodeRegistryConfig): Set<string> {
  const allowed = new Set(config.commandTasks);
  const out = new Set<string>();
  const all = [...config.tasks, ...config.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks))];
  for (const t of all) {
    if (!allowed.has(t.task_id)) continue;
    for (const loc of [t.executable_code_location, t.prepare]) if (loc?.startsWith('command:')) out.add(loc);
  }
  return out;
}

/** {@link CodeAdmission} over a task root and a set of allowed `command:` locations. */
export class TaskRootPolicy implements CodeAdmission {
  /** The task root after realpath. */
  readonly root: string;

  /**
   * @param root directory `module:` paths resolve against and must stay under
   * @param allowedCommands exact `command:` locations that may run (see {@link allowedCommandLocations})
   * @throws Error when `root` does not exist or is not a directory
   */
  constructor(root: string, private readonly allowedCommands: ReadonlySet<string> = new Set()) {
    const real = realpathSync(root);
    if (!statSync(real).isDirectory()) throw new Error(`task root ${root} is not a directory`);
    this.root = real;
  }

  /** @inheritdoc */
  refusal(location: string, taskId: string): string | undefined {
    if (location.startsWith('module:')) {
      const r = this.resolveModule(location);
      return 'refusal' in r ? r.refusal : undefined;
    }
    if (location.startsWith('command:')) {
      return this.allowedCommands.has(location) ? undefined : `command: locations run only for task ids the operator lists in "commandTasks" (task ${taskId} is not one with this command)`;
    }
    return `a module: location under the task root (command: only for operator-listed task ids); the local executor runs module: and command: locations, not ${JSON.stringify(location.split(':')[0])} ones`;
  }

  /** The real path and export of a `module:<path>#<export>` location, or why it is refused. */
  resolveModule(location: string): { path: string; exportName: string } | { refusal: string } {
    const spec = location.slice('module:'.length);
    const hash = spec.indexOf('#');
    const path = hash < 0 ? spec : spec.slice(0, hash);
    const exportName = hash < 0 ? 'default' : spec.slice(hash + 1);
    if (path === '' || path.includes('\0')) return { refusal: 'a module: path' };
    if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) return { refusal: `an export name (identifier) after "#", got ${JSON.stringify(exportName)}` };
    let real: string;
    try {
      real = realpathSync(isAbsolute(path) ? path : resolve(this.root, path));
    } catch {
      return { refusal: `a module file under the task root ${this.root} (${JSON.stringify(path)} does not exist there)` };
    }
    const rel = relative(this.root, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { refusal: `a module file under the task root ${this.root} (${JSON.stringify(path)} resolves outside it)` };
    if (!statSync(real).isFile()) return { refusal: `a module file under the task root (${JSON.stringify(path)} is not a file)` };
    return { path: real, exportName };
  }
}
