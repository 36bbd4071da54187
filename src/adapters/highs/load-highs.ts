/**
 * Loads the HiGHS MILP solver (the `highs` package: HiGHS compiled to WebAssembly) at the edge, so
 * `core/plan` receives an already-loaded synchronous {@link LpSolver} and stays pure.
 */
import loadHighs from 'highs';
import type { LpSolution, LpSolver } from '../../core/plan/milp.js';

/** A loaded solver that replaces its WebAssembly instance after a native error. */
export interface LoadedHighs extends LpSolver {
  /** Solves so far, and how many threw. */
  readonly stats: { solves: number; errors: number };
}

/**
 * Loads HiGHS once. A native abort can leave a WebAssembly instance unusable, so after a throwing
 * solve the next call rethrows at once (the planner falls back to greedy) while a fresh instance loads
 * in the background; later calls use it.
 * @throws when the wasm cannot be loaded at all (the caller should use the greedy planner)
 */
export async function loadHighsSolver(): Promise<LoadedHighs> {
  let highs = await loadHighs();
  let reloading: Promise<void> | undefined;
  const stats = { solves: 0, errors: 0 };
  return {
    stats,
    solve(problem: string, options?: Readonly<Record<string, string | number | boolean>>): LpSolution {
      if (reloading) throw new Error('HiGHS is reloading after a native error');
      stats.solves++;
      try {
        return highs.solve(problem, options as Parameters<typeof highs.solve>[1]) as LpSolution;
      } catch (e) {
        stats.errors++;
        reloading = loadHighs().then((h) => { highs = h; reloading = undefined; }, () => { reloading = undefined; });
        throw e;
      }
    },
  };
}
