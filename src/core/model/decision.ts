/**
 * The decision log (seed 003: "log all workflow decisions ... for model training and optimization").
 */

/** One candidate considered in a decision, with its score and the parts of the score. */
export interface DecisionCandidate {
  readonly name: string;
  readonly score: number;
  readonly parts?: Readonly<Record<string, number>>;
  /** Why it was excluded, when it was. */
  readonly excludedBecause?: string;
}

/** One choice the controller made. */
export interface Decision {
  /** Epoch seconds. */
  readonly atSec: number;
  readonly kind: 'plan' | 'compose' | 'switch' | 'prefetch' | 'validate' | 'safety' | 'authorize' | 'forecast';
  /** What it was about: a pool id, a chain id... */
  readonly subject: string;
  readonly chosen: string;
  readonly reason: string;
  readonly candidates?: readonly DecisionCandidate[];
  /** Which policy allowed/denied, for authorize decisions. */
  readonly policyId?: string;
}
