/**
 * Loads the HiGHS MILP solver (the `highs` package: HiGHS compiled to WebAssembly) at the edge, so
 * `core/plan` receives an already-loaded synchronous {@link LpSolver} and stays pure.
 */
import highsModule from 'highs';
import { LpModel, type LpArrays, type Term } from '../../core/plan/lp-format.js';
import { MILP_SOLVER_TUNING, type LpSolution, type LpSolver, type LpSolverOptions } from '../../core/plan/milp-types.js';

/** The part of the package's persistent `Model` used here (see node_modules/highs/types.d.ts). */
interface HighsModel {
  readonly options: { set(values: Readonly<Record<string, string | number | boolean>>): unknown };
  readonly info: { get(name: string): number | bigint };
  setSolution(solution: { colValue: readonly number[] }): unknown;
  run(): { modelStatus: number };
  getSolution(): { colValue: Float64Array };
  getObjectiveValue(): number;
  dispose(): void;
}

interface HighsInstance {
  solve(problem: string, options?: object): unknown;
  createModel(source: object): HighsModel;
  readonly infinity: number;
}
type HighsLoader = () => Promise<HighsInstance>;

/**
 * The package ships ESM (`highs.mjs`, default export = loader) and CJS (`module.exports = loader`,
 * typed as a module with a `default`); accept either shape.
 */
const loadHighs: HighsLoader = (((highsModule as unknown as { default?: HighsLoader }).default ?? highsModule) as unknown) as HighsLoader;

/** A loaded solver that replaces its WebAssembly instance after a native error. */
export interface LoadedHighs extends LpSolver {
  /** Always present here: a fresh persistent HiGHS model per call (see {@link LpSolver.solveArrays}). */
  solveArrays(model: LpArrays, options?: LpSolverOptions, start?: readonly number[]): LpSolution;
  /** Solves so far, and how many threw. */
  readonly stats: { solves: number; errors: number };
}

/** HiGHS model status codes (`HighsModelStatus`) as the package's `solve()` names them. */
const MODEL_STATUS: Readonly<Record<number, string>> = {
  0: 'Not Set', 1: 'Load error', 2: 'Model error', 3: 'Presolve error', 4: 'Solve error', 5: 'Postsolve error', 6: 'Empty',
  7: 'Optimal', 8: 'Infeasible', 9: 'Primal infeasible or unbounded', 10: 'Unbounded', 11: 'Bound on objective reached',
  12: 'Target for objective reached', 13: 'Time limit reached', 14: 'Iteration limit reached', 15: 'Unknown',
  16: 'Solution limit reached', 17: 'Interrupted',
};

/** Statuses after which the model holds a primal solution worth reading. */
const WITH_SOLUTION = new Set([7, 11, 12, 13, 14, 16, 17]);

/**
 * Solves `model` on a fresh persistent HiGHS model (so no state carries over between solves: same
 * input, same answer), from `start` when given, and reads the result in the shape of `solve()`.
 */
function solveArraysWith(highs: HighsInstance, model: LpArrays, options?: LpSolverOptions, start?: readonly number[]): LpSolution {
  const inf = highs.infinity;
  const fin = (v: number): number => (v === Infinity ? inf : v === -Infinity ? -inf : v);
  const numCols = model.colNames.length;
  const numRows = model.rowLower.length;
  const m = highs.createModel({
    numCols, numRows, colCost: model.colCost, colLower: model.colLower.map(fin), colUpper: model.colUpper.map(fin),
    rowLower: model.rowLower.map(fin), rowUpper: model.rowUpper.map(fin),
    matrix: { format: 'csr', numRows, numCols, starts: model.rowStart, indices: model.rowIndex, values: model.rowValue },
    integrality: model.integrality,
  });
  try {
    if (options) m.options.set(options);
    if (start) m.setSolution({ colValue: start });
    const code = m.run().modelStatus;
    const Status = MODEL_STATUS[code] ?? `status ${code}`;
    if (!WITH_SOLUTION.has(code)) return { Status, ObjectiveValue: null, Columns: {} };
    const x = m.getSolution().colValue;
    const Columns: Record<string, { Primal: number }> = {};
    model.colNames.forEach((n, j) => { Columns[n] = { Primal: x[j] }; });
    const bound = Number(m.info.get('mip_dual_bound'));
    return { Status, ObjectiveValue: m.getObjectiveValue(), Columns, DualBound: Number.isFinite(bound) ? bound : null };
  } finally {
    m.dispose();
  }
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
 * A capacity-planning-shaped MILP for warming up the array path (`solveArrays`): `blocks` slot
 * blocks × 12 offerings (8 spot at most 40% each, 4 on-demand with a floor), coverage of a rising
 * target, no removals, change limit. Deterministic; `variant` shifts targets and prices.
 */
export function warmUpCapacityModel(variant: number, blocks = 4): LpModel {
  const m = new LpModel();
  const units = [2, 4, 8, 4, 8, 16, 2, 4, 8, 2];
  const spot = (i: number): boolean => i < 6;
  for (let s = 0; s < blocks; s++) {
    const hours = s === blocks - 1 ? 0.4 : 1 / 60;
    const target = 60 + 13 * variant + 9 * s;
    const all: Term[] = units.map((k, i) => [k, `x${i}_${s}`]);
    units.forEach((k, i) => {
      m.bound(`x${i}_${s}`, i === 0 ? 2 : 0, 40);
      m.integer(`x${i}_${s}`);
      m.minimise([k * (spot(i) ? 0.012 + 0.001 * ((i * 7 + variant) % 5) : 0.048 + 0.002 * i) * hours, `x${i}_${s}`]);
      if (s > 0) m.row(`mon${i}_${s}`, [[1, `x${i}_${s}`], [-1, `x${i}_${s - 1}`]], '>=', 0);
    });
    m.minimise([2 * hours, `u${s}`], [4 * hours, `v${s}`]);
    m.row(`cov${s}`, [...all, [1, `u${s}`]], '>=', target);
    m.row(`odf${s}`, [...units.flatMap((k, i): Term[] => (spot(i) ? [] : [[k, `x${i}_${s}`]])), [1, `v${s}`]], '>=', Math.ceil(0.2 * target));
    m.row(`max${s}`, all, '<=', 2048);
    m.row(`spt${s}`, [...units.flatMap((k, i): Term[] => (spot(i) ? [[k, `x${i}_${s}`]] : [])), [-1, `S${s}`]], '=', 0);
    units.forEach((k, i) => { if (spot(i)) m.row(`div${i}_${s}`, [[k, `x${i}_${s}`], [-0.4, `S${s}`]], '<=', 0); });
  }
  return m;
}

/**
 * Loads HiGHS once (and warms it up: `warmUpSolves`, default 8, each one small LP-text solve and one
 * planning-shaped array solve). A native abort can leave a WebAssembly instance unusable, so after a throwing
 * solve the next call rethrows at once (the planner falls back to greedy) while a fresh instance loads
 * in the background; later calls use it.
 * @throws when the wasm cannot be loaded at all (the caller should use the greedy planner)
 */
export async function loadHighsSolver(opts: { warmUpSolves?: number } = {}): Promise<LoadedHighs> {
  let highs = await loadHighs();
  // V8 first runs WebAssembly with its baseline compiler and tiers hot functions up later; a few
  // solves of a small MILP at load keep the first planning ticks from hitting the time limit.
  // Both paths are warmed: `solve` (LP text) and `solveArrays` on planning-shaped models (time-limited:
  // only running the code matters, not the answers).
  for (let i = 0; i < (opts.warmUpSolves ?? 8); i++) {
    highs.solve(WARM_UP_LP, { output_flag: false });
    solveArraysWith(highs, warmUpCapacityModel(i).toArrays(), { output_flag: false, mip_rel_gap: 0.02, random_seed: 0, time_limit: 0.05, ...MILP_SOLVER_TUNING });
  }
  let reloading: Promise<void> | undefined;
  const stats = { solves: 0, errors: 0 };
  const guarded = <T>(run: () => T): T => {
    if (reloading) throw new Error('HiGHS is reloading after a native error');
    stats.solves++;
    try {
      return run();
    } catch (e) {
      stats.errors++;
      reloading = loadHighs().then((h) => { highs = h; reloading = undefined; }, () => { reloading = undefined; });
      throw e;
    }
  };
  return {
    stats,
    solve: (problem, options) => guarded(() => highs.solve(problem, options) as LpSolution),
    solveArrays: (model, options, start) => guarded(() => solveArraysWith(highs, model, options, start)),
  };
}
