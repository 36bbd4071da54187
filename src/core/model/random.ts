/**
 * Seeded randomness, injected wherever the core or the simulator needs chance (DESIGN.md rule 4).
 * Implementations must be deterministic for a given seed so a backtest is reproducible byte for byte.
 */
export interface Random {
  /** A uniform draw in [0, 1). */
  next(): number;
  /** A new independent stream derived from this one and `label` (same seed + label → same stream). */
  fork(label: string): Random;
}
