/**
 * The tick's spot step (app/tick.ts): runs core/tick/spot.ts `spotStage` (replace at-risk spot
 * instances ahead, before planning), validates its launches against the limits, acts on them, and
 * returns the capacity the planner then sees (described again in active mode; otherwise the
 * replacements added as pending). Sequencing and I/O only; the decisions go onto `decisions`.
 */
import type { CapacitySnapshot, CloudEvent, Decision, Ec2Pool } from '../../core/model/index.js';
import type { TickMemory, TickState } from '../../core/tick/memory.js';
import type { OfferingsOutput } from '../../core/tick/offerings.js';
import { spotStage, withPendingLaunches, type SpotOutput } from '../../core/tick/spot.js';
import { validateStage } from '../../core/tick/validate.js';
import type { TickActuator } from './act.js';
import type { TickDeps } from './types.js';

/** What {@link spotStep} reads of the tick so far. */
export interface SpotStepInputs {
  readonly nowSec: number;
  readonly pools: readonly Ec2Pool[];
  readonly offers: OfferingsOutput;
  /** Capacity described at the start of the tick. */
  readonly snap0: CapacitySnapshot;
  readonly cloudEvents: readonly CloudEvent[];
  /** The state loaded at the start of the tick. */
  readonly loaded: TickState;
}

/** What {@link spotStep} gives back. */
export interface SpotStepResult {
  readonly spot: SpotOutput;
  /** The validated replacement launches and the change units they use. */
  readonly spotChecked: ReturnType<typeof validateStage>;
  /** Capacity for the plan stage. */
  readonly snap: CapacitySnapshot;
  readonly memory: TickMemory;
}

/**
 * Runs the spot stage, validates and applies its launches, and describes the capacity after them.
 * @throws whatever the cloud provider's describe or apply throws (the tick's crash safety is act.ts's)
 */
export async function spotStep(deps: TickDeps, acts: TickActuator, inputs: SpotStepInputs, memory: TickMemory, decisions: Decision[]): Promise<SpotStepResult> {
  const { config: cfg, options: opts = {} } = deps;
  const { nowSec, pools, offers, snap0, cloudEvents, loaded } = inputs;
  const spot = spotStage({ nowSec, pools, offeringsByPool: offers.offeringsByPool, capacity: snap0, events: cloudEvents, ...(opts.spotAvoidSec !== undefined ? { avoidSec: opts.spotAvoidSec } : {}) }, memory);
  const next = spot.memory;
  acts.base = { ...loaded, avoidOfferings: next.state.avoidOfferings, replacedInstances: next.state.replacedInstances };
  const spotChecked = validateStage({ nowSec, commands: spot.commands, capacity: snap0, unseen: acts.unseen, offeringsById: spot.offeringsById, limits: cfg.limits }, next);
  decisions.push(...spot.decisions, ...spotChecked.decisions);
  await acts.act(spotChecked.commands, decisions);
  const snap = spotChecked.commands.length === 0
    ? snap0
    : cfg.mode === 'active' ? await acts.describe(offers.anyOfferingById) : withPendingLaunches(snap0, spotChecked.commands.filter((c) => c.kind === 'launch'), spot.offeringsById);
  return { spot, spotChecked, snap, memory: next };
}
