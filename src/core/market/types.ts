/**
 * Price rows the market model consumes. This is the structural twin of `InstanceTypePrice` in
 * `src/ports/price-catalog.ts` (core may not import ports, DESIGN.md rule 1); values of either type
 * are assignable to the other.
 */

/** One instance type's prices and shape in a region. */
export interface InstanceTypePrice {
  readonly instanceType: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: 'x86_64' | 'arm64';
  /** Linux shared-tenancy on-demand price, USD per instance-hour. */
  readonly onDemandUsdPerHour: number;
  /** Spot price (observed or estimated from the Spot Advisor's savings), USD per instance-hour. */
  readonly spotUsdPerHour?: number;
  /** Spot Advisor interruption bucket index 0..4 (<5%, 5-10%, 10-15%, 15-20%, >20%). */
  readonly interruptionBucket?: number;
  readonly currentGeneration: boolean;
}
