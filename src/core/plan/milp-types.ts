/**
 * Types of the MILP capacity planner (milp.ts): the interface of the injected LP/MILP solver (HiGHS,
 * loaded at the edge by `src/adapters/highs/`, so core stays pure), the planner's options, the
 * statistics of a solve, and the HiGHS options the planner tunes.
 */
import type { PlannerOptions } from './frame.js';
import type { LpArrays } from './lp-format.js';

/** The part of a HiGHS solution the planner reads. */
export interface LpSolution {
  readonly Status: string;
  readonly ObjectiveValue: number | null;
  readonly Columns: Readonly<Record<string, { readonly Primal?: number }>>;
  /** The MIP's proven lower bound on the objective (HiGHS `mip_dual_bound`), when the solver reports it. */
  readonly DualBound?: number | null;
}

/** Solver options by HiGHS option name (`time_limit`, `mip_rel_gap`, `mip_max_nodes`, …). */
export type LpSolverOptions = Readonly<Record<string, string | number | boolean>>;

/** A loaded LP/MILP solver (the `highs` package); synchronous. */
export interface LpSolver {
  /** Solves a model given as CPLEX LP text. */
  solve(problem: string, options?: LpSolverOptions): LpSolution;
  /**
   * Solves a model given as arrays (no text to write or parse), starting from `start` (a value per
   * column of `model`, normally a feasible plan: it is the incumbent the search must beat).
   * Optional; without it the planner writes LP text for {@link LpSolver.solve}.
   */
  solveArrays?(model: LpArrays, options?: LpSolverOptions, start?: readonly number[]): LpSolution;
}

/** Options of the MILP planner. */
export interface MilpPlannerOptions extends PlannerOptions {
  /**
   * Solver wall-clock limit per pool and tick, seconds; reaching it falls back to greedy (the plan's
   * reason says "HiGHS Time limit reached"). A safety net for a stalled solve: solves take 1–10 ms
   * in `npm run bench:plan` (at most ≈80 ms on a loaded machine) and most pool-ticks need none. It
   * makes output depend on machine speed when it acts, and HiGHS' sub-MIP heuristics get the time
   * left, so a limit near the solve times changes plans run to run (0.1 s did, on the loaded bench
   * machine); `maxNodes` (deterministic) is what normally stops a hard solve. @default 0.5
   */
  readonly timeLimitSec?: number;
  /** Branch-and-bound node limit (deterministic); reaching it falls back to greedy. @default 20000 */
  readonly maxNodes?: number;
  /** Relative MIP gap at which HiGHS stops (the plan's cost is within it of the optimum); also the tolerance for taking the greedy plan as proven. @default 0.02 */
  readonly mipRelGap?: number;
  /** Penalty per uncovered unit-hour as a multiple of the dearest effective USD per unit-hour. @default 50 */
  readonly shortfallPenaltyMultiplier?: number;
  /** Candidate offerings kept per market (see `milpCandidates` in milp-model.ts). @default 4 */
  readonly candidatesPerMarket?: number;
  /** Slots per block beyond the launch cut-off (see `slotBlocks` in milp-model.ts). @default 30 (one block) */
  readonly blockSlots?: number;
}

/** Statistics of the last solve (for benchmarks and the decision log). */
export interface MilpStats { readonly variables: number; readonly rows: number; readonly status: string }

/**
 * HiGHS options the planner sets besides its limits. The greedy plan is handed to HiGHS as the
 * starting incumbent, so the root LP bound alone often proves it within the gap (no search); the
 * primal heuristics' fixed cost (feasibility jump, RINS/RENS sub-MIPs, shifting, ZI rounding,
 * reduced-cost fixing) dominated the solve time of these small models in `npm run bench:plan`
 * (sub-MIPs alone took 0.1–0.2 s of 0.3 s solves) while the start already gives a good incumbent,
 * so they run with a small effort only; branching and cuts still close the gap. Measured, not
 * derived: see docs/benchmarks.md.
 */
export const MILP_SOLVER_TUNING: LpSolverOptions = {
  mip_heuristic_effort: 0.01,
  mip_heuristic_run_feasibility_jump: false,
  mip_heuristic_run_root_reduced_cost: false,
  mip_heuristic_run_zi_round: false,
  mip_heuristic_run_shifting: false,
};

