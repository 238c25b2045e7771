/** Small helpers of the loop and its records (kept apart so loop.ts stays about the event loop). */
import type { PlanTask, RunPlan } from '../engine/types';

const INDEXES = new WeakMap<RunPlan, Map<string, number>>();

/** Task id → plan index, computed once per plan (Monte Carlo reuses it). */
export function taskIndex(plan: RunPlan): Map<string, number> {
  let index = INDEXES.get(plan);
  if (index === undefined) {
    index = new Map();
    for (let i = 0; i < plan.tasks.length; i++) index.set((plan.tasks[i] as PlanTask).id, i);
    INDEXES.set(plan, index);
  }
  return index;
}

/**
 * An array of `n` copies of `value`: allocated once at its size and written by index (4× faster than
 * `n` pushes, which copy a growing backing store; on Node 20 the filled array has fast elements even
 * beyond 100,000).
 */
export function filled<T>(n: number, value: T): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = value;
  return out;
}
