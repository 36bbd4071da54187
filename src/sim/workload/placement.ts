/**
 * Task placement on simulated instances: each ready instance has vCPU and memory; a task runs on one
 * instance that has room for both. Per pool, runnable tasks wait in a FIFO queue; a placement pass
 * walks the queue in order and puts each task on the first instance with room (first-fit with
 * backfill: a small task may pass a large one that does not fit yet).
 */
import type { SimInstance } from '../cloud/sim-instance.js';
import type { SimTask } from './types.js';

/** Free resources of one ready instance. */
export interface Slot {
  readonly instance: SimInstance;
  freeVcpu: number;
  freeMemoryGiB: number;
  readonly tasks: Set<SimTask>;
}

/** Placement state of one pool. */
export class PoolPlacement {
  readonly slots = new Map<string, Slot>();
  queue: SimTask[] = [];
  /** vCPU of tasks running now. */
  runningVcpu = 0;
  queuedVcpu = 0;

  /** Units of ready instances (running or interrupting). */
  readyUnits(): number {
    let u = 0;
    for (const s of this.slots.values()) u += s.instance.offering.capacityUnits;
    return u;
  }

  addInstance(instance: SimInstance): void {
    this.slots.set(instance.id, { instance, freeVcpu: instance.offering.vcpu, freeMemoryGiB: instance.offering.memoryGiB, tasks: new Set() });
  }

  /** Removes an instance; returns the tasks that were running on it. */
  removeInstance(instanceId: string): SimTask[] {
    const slot = this.slots.get(instanceId);
    if (!slot) return [];
    this.slots.delete(instanceId);
    const killed = [...slot.tasks];
    for (const t of killed) this.runningVcpu -= t.vcpu;
    return killed;
  }

  enqueue(task: SimTask, front = false): void {
    if (front) this.queue.unshift(task);
    else this.queue.push(task);
    this.queuedVcpu += task.vcpu;
  }

  /** Frees a finished task's resources. */
  release(task: SimTask): void {
    const slot = task.instanceId ? this.slots.get(task.instanceId) : undefined;
    if (!slot) return;
    slot.freeVcpu += task.vcpu;
    slot.freeMemoryGiB += task.memoryGiB;
    slot.tasks.delete(task);
    this.runningVcpu -= task.vcpu;
  }

  /**
   * Places queued tasks; calls `start` for each placed task, in queue order. Instances under an
   * interruption notice take no new work. `reservedUnits` of capacity are kept for metric demand
   * (served first by ready capacity not used by tasks; tasks have the priority).
   */
  place(start: (task: SimTask, slot: Slot) => void): void {
    if (this.queue.length === 0 || this.slots.size === 0) return;
    const open = [...this.slots.values()].filter((s) => s.instance.state === 'running' && s.freeVcpu > 0);
    if (open.length === 0) return;
    let maxFree = 0;
    for (const s of open) maxFree = Math.max(maxFree, s.freeVcpu);
    const rest: SimTask[] = [];
    for (const task of this.queue) {
      let placed = false;
      if (task.vcpu <= maxFree + 1e-9) {
        for (const s of open) {
          if (s.freeVcpu + 1e-9 >= task.vcpu && s.freeMemoryGiB + 1e-9 >= task.memoryGiB) {
            s.freeVcpu -= task.vcpu;
            s.freeMemoryGiB -= task.memoryGiB;
            s.tasks.add(task);
            task.instanceId = s.instance.id;
            this.runningVcpu += task.vcpu;
            this.queuedVcpu -= task.vcpu;
            start(task, s);
            placed = true;
            break;
          }
        }
        if (placed) {
          maxFree = 0;
          for (const s of open) maxFree = Math.max(maxFree, s.freeVcpu);
        }
      }
      if (!placed) rest.push(task);
    }
    this.queue = rest;
  }
}
