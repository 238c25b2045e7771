/** Lookups into a frozen plan by key, computed once per plan (plans are immutable). */
import type { RunPlan } from './types';

const BARRIERS = new WeakMap<RunPlan, Map<string, number>>();

/** Index in `plan.barriers` of the barrier with message key `key` (undefined: none). */
export function barrierIndexOf(plan: RunPlan, key: string): number | undefined {
  let index = BARRIERS.get(plan);
  if (index === undefined) {
    index = new Map();
    // The first barrier with a key wins (keys are unique in a plan).
    for (let i = plan.barriers.length - 1; i >= 0; i--) index.set(plan.barriers[i]?.key as string, i);
    BARRIERS.set(plan, index);
  }
  return index.get(key);
}
