/**
 * Payloads of the simulator's event queue. One queue per simulated world holds cloud and workload
 * events, so everything happens in one total order (time, priority, sequence).
 */

/** Events the simulated cloud schedules for itself. */
export type CloudSimEvent =
  | { readonly kind: 'instance-ready'; readonly instanceId: string }
  | { readonly kind: 'spot-notice'; readonly instanceId: string }
  | { readonly kind: 'spot-reclaim'; readonly instanceId: string }
  | { readonly kind: 'rebalance'; readonly instanceId: string }
  | { readonly kind: 'ice-start'; readonly offeringId: string }
  | { readonly kind: 'ice-end'; readonly offeringId: string }
  | { readonly kind: 'cache-ready'; readonly poolId: string };

/** Events the workload schedules. */
export type WorkloadSimEvent =
  | { readonly kind: 'chain-arrival'; readonly chainIndex: number }
  | { readonly kind: 'task-finish'; readonly taskKey: string; readonly attempt: number }
  | { readonly kind: 'prepare-done'; readonly prepKey: string };

/** Any simulator event. */
export type SimEvent = CloudSimEvent | WorkloadSimEvent;

/** Priorities at equal time: capacity changes first, then finishes, then arrivals (SimPy: lower first). */
export const EVENT_PRIORITY = {
  cloud: 0,
  finish: 1,
  arrival: 2,
} as const;

/** True for events the simulated cloud handles. */
export function isCloudEvent(e: SimEvent): e is CloudSimEvent {
  return e.kind === 'instance-ready' || e.kind === 'spot-notice' || e.kind === 'spot-reclaim' || e.kind === 'cache-ready'
    || e.kind === 'rebalance' || e.kind === 'ice-start' || e.kind === 'ice-end';
}
