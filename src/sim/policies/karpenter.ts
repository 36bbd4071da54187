/**
 * `karpenter`: what a platform team running the steps as Kubernetes pods on Karpenter-managed nodes
 * would get (Karpenter v1 defaults, one NodePool per pool). Modelled, with sources:
 *
 * - Provisioning for pending pods (kubernetes-sigs/karpenter `pkg/controllers/provisioning`): pods
 *   that cannot schedule are batched (`BATCH_IDLE_DURATION` 1 s, `BATCH_MAX_DURATION` 10 s, karpenter.sh
 *   "Settings") and simulated onto existing and in-flight nodes first (in-flight NodeClaims count,
 *   as pods nominated to them); only the rest get new nodes. Here a batch is every task queued at the
 *   same simulated instant, and the capacity held (ready plus pending) is compared with the pods'
 *   vCPU: the window is shorter than any lead time (60–180 s), which slightly favours Karpenter.
 * - Instance choice: the cheapest offering per vCPU that fits the largest pending pod (vCPU and
 *   memory). Spot first: aws/karpenter-provider-aws `pkg/providers/instance/instance.go` calls
 *   CreateFleet with `SpotAllocationStrategyPriceCapacityOptimized` for spot and `LowestPrice` for
 *   on-demand; price-capacity-optimized picks, among the lowest-priced pools, the one with the most
 *   spare capacity (EC2 User Guide, "Allocation strategies for Spot Instances"). Modelled as the
 *   lowest interruption hazard among the {@link KARPENTER.pcoCandidates} cheapest fitting spot offerings.
 * - On-demand floor: a second NodePool with `karpenter.sh/capacity-type: on-demand` holds the pool's
 *   on-demand floor (units and share), as the other baselines keep it (core/plan/fleet.ts).
 * - Metric demand: served by a Deployment scaled by a HorizontalPodAutoscaler (kubernetes.io "Horizontal
 *   Pod Autoscaling": scale up at once, scale down after the default 300 s stabilization window,
 *   `behavior.scaleDown.stabilizationWindowSeconds`), whose pods go pending and are provisioned for as above.
 * - Consolidation (`pkg/controllers/disruption`): NodePool `consolidationPolicy: WhenEmptyOrUnderutilized`
 *   and `consolidateAfter: 0s` (the v1 defaults, karpenter.sh "NodePools"), at most 10% of the pool's
 *   nodes per round (the default disruption budget `nodes: 10%`). A node is removed when the pods on it
 *   fit on the other nodes: Deployment pods move, step pods do not (batch jobs carry
 *   `karpenter.sh/do-not-disrupt: "true"`, karpenter.sh "Disruption", pod-level controls), so nodes
 *   running steps stay. Dearest per vCPU first; replace-with-cheaper consolidation is not modelled.
 * - Interruption handling: a node under a spot interruption notice is drained and its capacity
 *   replaced (it no longer counts as held, see fleet-view.ts).
 */
import type { Ec2Pool, LaunchCommand, Offering } from '../../core/model/index.js';
import { onDemandFloorUnits } from '../../core/plan/fleet.js';
import type { World } from '../world.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';
import type { PolicyTickContext, SimPolicy } from './types.js';

/** Karpenter and HPA defaults used here (see module doc for the sources). */
export const KARPENTER = {
  /** HPA `behavior.scaleDown.stabilizationWindowSeconds` default. */
  hpaScaleDownStabilizationSec: 300,
  /** NodePool `disruption.budgets` default, share of the pool's nodes disrupted at once. */
  disruptionBudgetShare: 0.1,
  /** NodePool `disruption.consolidateAfter` default (v1). */
  consolidateAfterSec: 0,
  /** How many of the cheapest fitting spot pools price-capacity-optimized weighs by capacity (modelling choice). */
  pcoCandidates: 3,
} as const;

/** The offering Karpenter would launch for a pod of `vcpu`/`memoryGiB` in `market`, or undefined. */
export function karpenterOffering(offerings: readonly Offering[], market: Offering['market'], vcpu: number, memoryGiB: number): Offering | undefined {
  const fits = cheapestPerUnit(offerings, market).filter((o) => o.vcpu + 1e-9 >= vcpu && o.memoryGiB + 1e-9 >= memoryGiB);
  if (market === 'on-demand') return fits[0];
  return fits.slice(0, KARPENTER.pcoCandidates).sort((a, b) => a.interruptionHazardPerHour - b.interruptionHazardPerHour || a.priceUsdPerHour / a.capacityUnits - b.priceUsdPerHour / b.capacityUnits || (a.id < b.id ? -1 : 1))[0];
}

/** Creates the karpenter baseline for a world. */
export function createKarpenterPolicy(world: World, name = 'karpenter'): SimPolicy {
  const pools = new Map(world.scenario.pools.map((p) => [p.id, p]));
  const hpa = new Map<string, Array<{ atSec: number; units: number }>>([...pools.keys()].map((id) => [id, []]));
  let seq = 0;
  const counts: Record<string, number> = { provision: 0, consolidate: 0 };

  const hpaUnits = (poolId: string): number => {
    const h = hpa.get(poolId)!;
    return h.reduce((m, x) => Math.max(m, x.units), 0);
  };
  const requiredUnits = (pool: Ec2Pool): number => {
    const place = world.workload.pools.get(pool.id);
    return Math.max(pool.minUnits, hpaUnits(pool.id) + (place ? place.runningVcpu + place.queuedVcpu : 0));
  };

  const provision = (pool: Ec2Pool, why: string): void => {
    const fleet = poolFleet(world, pool.id);
    const held = [...fleet.ready, ...fleet.pending];
    let heldUnits = held.reduce((s, i) => s + i.offering.capacityUnits, 0);
    let odHeld = held.filter((i) => i.offering.market === 'on-demand').reduce((s, i) => s + i.offering.capacityUnits, 0);
    const need = Math.min(pool.maxUnits, requiredUnits(pool));
    const place = world.workload.pools.get(pool.id);
    let podVcpu = 1;
    let podMem = 0;
    // a pending pod no held node could ever fit gets a node of its own (the scheduling simulation)
    const fitsHeld = (v: number, m: number): boolean => held.some((i) => i.offering.vcpu + 1e-9 >= v && i.offering.memoryGiB + 1e-9 >= m);
    let unfit: { vcpu: number; memoryGiB: number } | undefined;
    for (const t of place?.queue ?? []) {
      podVcpu = Math.max(podVcpu, t.vcpu);
      podMem = Math.max(podMem, t.memoryGiB);
      if (!unfit && !fitsHeld(t.vcpu, t.memoryGiB)) unfit = t;
    }
    if (!unfit && heldUnits >= need - 1e-9 && odHeld >= onDemandFloorUnits(pool, need) - 1e-9) return;
    const offerings = world.cloud.offeringsOf(pool);
    const byOffering = new Map<string, { o: Offering; n: number }>();
    const add = (o: Offering): void => {
      const c = byOffering.get(o.id) ?? { o, n: 0 };
      c.n++;
      byOffering.set(o.id, c);
      heldUnits += o.capacityUnits;
      if (o.market === 'on-demand') odHeld += o.capacityUnits;
    };
    if (unfit) {
      const o = (pool.markets.includes('spot') ? karpenterOffering(offerings, 'spot', unfit.vcpu, unfit.memoryGiB) : undefined) ?? karpenterOffering(offerings, 'on-demand', unfit.vcpu, unfit.memoryGiB);
      if (o) add(o);
    }
    for (let guard = 0; guard < 10_000 && heldUnits < need - 1e-9; guard++) {
      const odShort = odHeld < onDemandFloorUnits(pool, need) - 1e-9 || !pool.markets.includes('spot');
      const o = (odShort ? undefined : karpenterOffering(offerings, 'spot', podVcpu, podMem)) ?? (pool.markets.includes('on-demand') ? karpenterOffering(offerings, 'on-demand', podVcpu, podMem) : undefined);
      if (!o) break;
      add(o);
    }
    for (let guard = 0; guard < 1000 && odHeld < onDemandFloorUnits(pool, need) - 1e-9 && pool.markets.includes('on-demand'); guard++) {
      const o = karpenterOffering(offerings, 'on-demand', 1, 0);
      if (!o) break;
      add(o);
    }
    const now = world.clock.nowSec();
    for (const { o, n } of [...byOffering.values()].sort((a, b) => (a.o.id < b.o.id ? -1 : 1))) {
      const cmd: LaunchCommand = { kind: 'launch', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, offeringId: o.id, count: n, needAtSec: now, expectedCostUsdPerHour: n * o.priceUsdPerHour, reason: why };
      world.cloud.applyNow(cmd);
      counts.provision++;
    }
  };

  const consolidate = (pool: Ec2Pool, nowSec: number): void => {
    const fleet = poolFleet(world, pool.id);
    const place = world.workload.pools.get(pool.id);
    const need = requiredUnits(pool);
    const all = [...fleet.ready, ...fleet.pending];
    let spare = all.reduce((s, i) => s + i.offering.capacityUnits, 0) - need;
    let odSpare = all.filter((i) => i.offering.market === 'on-demand').reduce((s, i) => s + i.offering.capacityUnits, 0) - onDemandFloorUnits(pool, need);
    let budget = Math.max(1, Math.ceil(KARPENTER.disruptionBudgetShare * all.length));
    const victims: string[] = [];
    const ordered = fleet.ready.slice().sort((a, b) => b.offering.priceUsdPerHour / b.offering.capacityUnits - a.offering.priceUsdPerHour / a.offering.capacityUnits || (a.id < b.id ? -1 : 1));
    for (const i of ordered) {
      if (budget <= 0) break;
      const u = i.offering.capacityUnits;
      if ((place?.slots.get(i.id)?.tasks.size ?? 0) > 0 || u > spare + 1e-9) continue;
      if (nowSec - i.launchedAtSec < KARPENTER.consolidateAfterSec) continue;
      if (i.offering.market === 'on-demand' && u > odSpare + 1e-9) continue;
      victims.push(i.id);
      spare -= u;
      if (i.offering.market === 'on-demand') odSpare -= u;
      budget--;
    }
    if (victims.length > 0) {
      world.cloud.applyNow({ kind: 'terminate', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, reason: 'consolidation: pods fit on the other nodes', instanceIds: victims });
      counts.consolidate += victims.length;
    }
  };

  world.workload.onShortage = (poolId) => {
    const pool = pools.get(poolId);
    if (pool) provision(pool, 'pending pods');
  };

  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      for (const pool of pools.values()) {
        const h = hpa.get(pool.id)!;
        h.push({ atSec: nowSec, units: Math.ceil(world.metricDemand(pool.id, tickIndex) - 1e-9) });
        while (h.length > 1 && h[0].atSec <= nowSec - KARPENTER.hpaScaleDownStabilizationSec) h.shift();
        provision(pool, 'pending pods (HPA replicas and steps)');
        consolidate(pool, nowSec);
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: { 'karpenter-launch': counts.provision, 'karpenter-consolidated-node': counts.consolidate } }),
  };
}
