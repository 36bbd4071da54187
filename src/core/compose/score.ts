/**
 * Scoring of variants (seed 003 component 3, step 2): probability, resource fit and cost, combined by
 * configurable weights or by a user formula evaluated with mathjs's expression parser (which has no
 * access to JavaScript globals; see mathjs "Security" docs).
 */
import { compile, type EvalFunction } from 'mathjs';
import { InputError } from '../model/errors.js';
import type { ComposerOptions } from './types.js';

/** The raw parts of one candidate before they are combined. */
export interface ScoreInputs {
  readonly variant: string;
  readonly probability: number;
  readonly fit: number;
  readonly expectedCostUsd: number;
  readonly runtimeSec: number;
  readonly interruptionProbability: number;
}

/** A scored candidate. */
export interface ScoredInputs extends ScoreInputs {
  readonly costScore: number;
  readonly score: number;
}

const compiled = new Map<string, EvalFunction>();

/**
 * Compiles a scoring formula once.
 * @throws InputError (field `composer.formula`) when mathjs cannot parse it
 */
export function compileFormula(formula: string): EvalFunction {
  let fn = compiled.get(formula);
  if (!fn) {
    try {
      fn = compile(formula);
    } catch (err) {
      throw new InputError({ field: 'composer.formula' }, formula, `a mathjs expression (${(err as Error).message})`);
    }
    compiled.set(formula, fn);
  }
  return fn;
}

/**
 * Scores candidates. `costScore` = cheapest expected cost among `candidates` / this one's (1 when
 * both are 0). Default score = wProbability·probability + wFit·fit + wCost·costScore.
 * @throws InputError when the formula does not evaluate to a finite number
 */
export function scoreCandidates(candidates: readonly ScoreInputs[], options: ComposerOptions): ScoredInputs[] {
  const minCost = Math.min(...candidates.map((c) => c.expectedCostUsd));
  const fn = options.formula ? compileFormula(options.formula) : undefined;
  return candidates.map((c) => {
    const costScore = c.expectedCostUsd <= 0 ? 1 : minCost / c.expectedCostUsd;
    const w = options.weights;
    let score = w.probability * c.probability + w.fit * c.fit + w.cost * costScore;
    if (fn && options.formula) {
      let value: unknown;
      try {
        value = fn.evaluate({
          probability: c.probability,
          fit: c.fit,
          cost: costScore,
          costUsd: c.expectedCostUsd,
          runtimeSec: c.runtimeSec,
          interruptionProbability: c.interruptionProbability,
          wProbability: w.probability,
          wFit: w.fit,
          wCost: w.cost,
        });
      } catch (err) {
        throw new InputError({ field: 'composer.formula' }, options.formula, `a formula over probability, fit, cost, costUsd, runtimeSec, interruptionProbability (${(err as Error).message})`);
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InputError({ field: 'composer.formula' }, options.formula, `a formula giving a finite number (gave ${String(value)} for ${c.variant})`);
      }
      score = value;
    }
    return { ...c, costScore, score };
  });
}
