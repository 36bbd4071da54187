/**
 * Loads the HiGHS MILP solver (the `highs` package: HiGHS compiled to WebAssembly) at the edge, so
 * `core/plan` receives an already-loaded synchronous {@link LpSolver} and stays pure.
 */
import highsModule from 'highs';
import type { LpSolution, LpSolver } from '../../core/plan/milp.js';

interface HighsInstance { solve(problem: string, options?: object): unknown }
type HighsLoader = () => Promise<HighsInstance>;

/**
 * The package ships ESM (`highs.mjs`, default export = loader) and CJS (`module.exports = loader`,
 * typed as a module with a `default`); accept either shape.
 */
const loadHighs: HighsLoader = (((highsModule as unknown as { default?: HighsLoader }).default ?? highsModule) as unknown) as HighsLoader;

/** A loaded solver that replaces its WebAssembly instance after a native error. */
export interface LoadedHighs extends LpSolver {
  /** Solves so far, and how many threw. */
  readonly stats: { solves: number; errors: number };
}

/** A small diversification-style MILP used to warm the solver up. */
const WARM_UP_LP = [
  'Minimize', ' obj: 0.15 a + 0.12 b + 0.04 c + 0.05 d + 0.09 e',
  'Subject To', ' cov: 4 a + 3 b + 2 c + 2 d + 4 e >= 23', ' od: 4 a + 3 b >= 6', ' s: 2 c + 2 d + 4 e - t = 0',
  ' d1: 2 c - 0.5 t <= 0', ' d2: 2 d - 0.5 t <= 0', ' d3: 4 e - 0.5 t <= 0',
  'Bounds', ' 0 <= a <= 20', ' 0 <= b <= 20', ' 0 <= c <= 20', ' 0 <= d <= 20', ' 0 <= e <= 20', ' t >= 0',
  'General', ' a b c d e', 'End',
].join('\n');

/**
 * Loads HiGHS once (and warms it up: `warmUpSolves`, default 8). A native abort can leave a WebAssembly instance unusable, so after a throwing
 * solve the next call rethrows at once (the planner falls back to greedy) while a fresh instance loads
 * in the background; later calls use it.
 * @throws when the wasm cannot be loaded at all (the caller should use the greedy planner)
 */
export async function loadHighsSolver(opts: { warmUpSolves?: number } = {}): Promise<LoadedHighs> {
  let highs = await loadHighs();
  // V8 first runs WebAssembly with its baseline compiler and tiers hot functions up later; a few
  // solves of a small MILP at load keep the first planning ticks from hitting the time limit.
  for (let i = 0; i < (opts.warmUpSolves ?? 8); i++) highs.solve(WARM_UP_LP, { output_flag: false });
  let reloading: Promise<void> | undefined;
  const stats = { solves: 0, errors: 0 };
  return {
    stats,
    solve(problem: string, options?: Readonly<Record<string, string | number | boolean>>): LpSolution {
      if (reloading) throw new Error('HiGHS is reloading after a native error');
      stats.solves++;
      try {
        return highs.solve(problem, options) as LpSolution;
      } catch (e) {
        stats.errors++;
        reloading = loadHighs().then((h) => { highs = h; reloading = undefined; }, () => { reloading = undefined; });
        throw e;
      }
    },
  };
}
