/**
 * The chance-constrained capacity MILP, solved with HiGHS (injected, already loaded: core stays pure).
 *
 * For one pool, offerings i and slots s, integer counts x[i,s] minimise the expected cost over the
 * horizon
 *
 *   Σ_s Σ_i c_i·x[i,s]·Δ_s/3600  +  Σ_i p_i·(L_i/3600)·w_i  +  P·Σ_s u[s]·Δ_s/3600
 *
 * with c_i = price + hazard × (lost work + replacement lead time) × units × value of a unit-hour
 * (fleet.ts), w_i = x[i,last] − base_i the instances launched over the horizon (paid while booting for
 * lead time L_i; counts never decrease inside the horizon, since scale-in is the frame's hysteresis
 * decision) and u the uncovered units, priced at a penalty P far above any offering. Subject to, per slot:
 * - coverage of the service-level quantile (the deterministic equivalent of P(D_s ≤ capacity) ≥ SL,
 *   with D_s's quantile read from the forecast plus predicted and committed step units):
 *   Σ_i k_i x[i,s] + u[s] ≥ T_s;
 * - on-demand floor: Σ_{i on-demand} k_i x[i,s] + v[s] ≥ F_s, v priced at 2P (soft, so that only
 *   the spend cap or the maximum size override it, as in the greedy rules);
 * - diversification: k_i x[i,s] ≤ share · Σ_{spot} k_j x[j,s] for spot i, and when k > ⌈1/share⌉
 *   (which the share cap alone does not imply) also at least k offerings in use whenever spot is used
 *   (binaries y);
 * - maximum pool size Σ k_i x ≤ max; spend cap Σ p_i x ≤ cap (hard);
 * - change limit Σ_i k_i (x[i,s] − x[i,s−1]) ≤ maxChange per tick; existing instances kept
 *   (x ≥ base), offerings that cannot launch fixed at their base.
 * One HiGHS solve per pool and tick, given as arrays and started from the greedy plan when that is
 * feasible: when the root bound already proves the greedy plan within the MIP gap, HiGHS stops there
 * and the greedy plan is kept. When HiGHS does not return an optimum (infeasible, time or node
 * limit, error) the greedy composer answers instead and the plan's reason says why.
 *
 * The model itself is built in milp-model.ts; the solver interface, the options and the HiGHS tuning
 * are in milp-types.ts.
 */
import { greedyComposer, planWithFrame, type ComposeRequest, type ComposeResult, type SlotComposer } from './frame.js';
import { readCounts, tightConstraints } from './milp-explain.js';
import { buildCapacityMilp } from './milp-model.js';
import { MILP_SOLVER_TUNING, type LpSolution, type LpSolver, type LpSolverOptions, type MilpPlannerOptions } from './milp-types.js';
import type { Planner } from './types.js';

function pct(x: number): string {
  return `${Number((x * 100).toFixed(2))}%`;
}

/**
 * The MILP composer: solves {@link buildCapacityMilp} with `solver`, starting from the greedy plan
 * when that is feasible for the model; falls back to the greedy composer (solver reported as
 * 'greedy', reason naming the HiGHS status or error) when no optimum within the gap is returned.
 * When HiGHS finds nothing cheaper than the greedy start, the greedy plan is kept (solver 'highs',
 * note giving its proven distance to the bound). Deterministic: same request, same plan (the
 * time limit is a safety net that only acts on a stalled solve, and then falls back).
 */
export function milpComposer(solver: LpSolver, opts: MilpPlannerOptions = {}): SlotComposer {
  const gap = opts.mipRelGap ?? 0.02;
  const options: LpSolverOptions = {
    output_flag: false, time_limit: opts.timeLimitSec ?? 0.5, mip_rel_gap: gap, mip_max_nodes: opts.maxNodes ?? 20000, random_seed: 0,
    ...MILP_SOLVER_TUNING,
  };
  return (req: ComposeRequest): ComposeResult => {
    let status: string;
    const greedy = greedyComposer(req);
    try {
      const milp = buildCapacityMilp(req, opts);
      const g = milp.assignmentOf(greedy.slots);
      const start = g && milp.model.isFeasible(g) ? g : undefined;
      const greedyUsd = start ? milp.model.objectiveOf(start) : Infinity;
      if (start) {
        // the greedy plan within the gap of a solver-free lower bound: no HiGHS call needed
        const within = (greedyUsd - milp.lowerBoundUsd) / Math.max(Math.abs(greedyUsd), 1e-12);
        if (within <= gap) {
          return { slots: greedy.slots, binding: tightConstraints(req, greedy.slots), solver: 'highs', note: `greedy plan within ${pct(Math.max(0, within))} of the relaxation bound; no solve needed` };
        }
      }
      let sol: LpSolution;
      if (solver.solveArrays) {
        const arrays = milp.model.toArrays();
        sol = solver.solveArrays(arrays, options, start && arrays.colNames.map((n) => start.get(n) ?? 0));
      } else sol = solver.solve(milp.lp, options);
      status = sol.Status;
      if (status === 'Optimal') {
        if (start && sol.ObjectiveValue !== null) {
          if (sol.ObjectiveValue >= greedyUsd - 1e-9 * Math.max(1, Math.abs(greedyUsd))) {
            // nothing cheaper than the start: keep the greedy plan (slot by slot, not by block)
            const bound = sol.DualBound ?? undefined;
            const within = bound !== undefined && Number.isFinite(bound) ? Math.max(0, (greedyUsd - bound) / Math.max(Math.abs(greedyUsd), 1e-12)) : gap;
            return { slots: greedy.slots, binding: tightConstraints(req, greedy.slots), solver: 'highs', note: within > 1e-9 ? `greedy plan proven within ${pct(within)} of the optimum` : 'greedy plan proven optimal' };
          }
        }
        const slots = readCounts(sol, milp.ids, milp.blocks);
        return { slots, binding: tightConstraints(req, slots), solver: 'highs' };
      }
    } catch (e) {
      status = `error: ${(e as Error).message.split('\n')[0]}`;
    }
    return { ...greedy, note: `HiGHS ${status}; greedy fallback` };
  };
}

/**
 * Creates the MILP planner over an already-loaded HiGHS (see `src/adapters/highs/`). Same frame as
 * the greedy planner (hysteresis, lead-time launches, change limit, explanations).
 */
export function createMilpPlanner(solver: LpSolver, opts: MilpPlannerOptions = {}): Planner {
  const composer = milpComposer(solver, opts);
  return { name: 'milp', plan: (input) => planWithFrame(input, opts, composer) };
}
