/** Time, injected (DESIGN.md rule 4). The simulator's clock and the system clock both implement it. */
export interface Clock {
  /** Current time in epoch seconds (may be fractional). */
  nowSec(): number;
}
export type { Random } from '../core/model/random.js';
