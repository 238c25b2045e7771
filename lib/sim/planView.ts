/**
 * What the loop needs of a plan as numbers, computed once per plan (Monte Carlo runs one plan a
 * thousand times): the barrier index each plan task's messages go under, each barrier's parent index.
 */
import { barrierIndexOf } from '../engine/planIndex';
import { hasImplementation } from '../engine/tasks';
import type { PlanTask, RunPlan } from '../engine/types';

export interface PlanView {
  /** Per plan task: index in `plan.barriers` of the barrier its messages are dispatched under (-1: none). */
  taskBarrier: Int32Array;
  /** Per plan barrier: its parent's index (-1: the root). */
  barrierParent: Int32Array;
  /**
   * Per plan task: 1 when the simulator runs its implementation (a built-in or tutorial task whose code
   * is the engine's), 0 when it only models it (a user task: success with no value).
   */
  runnable: Uint8Array;
  /** Whether any plan task has a simulation model (`PlanTask.sim`): most big canvases have none. */
  models: boolean;
}

const VIEWS = new WeakMap<RunPlan, PlanView>();

/** The plan's `PlanView` (cached). */
export function planView(plan: RunPlan): PlanView {
  let view = VIEWS.get(plan);
  if (view === undefined) {
    const taskBarrier = new Int32Array(plan.tasks.length);
    // Runs of tasks under the same barrier share the key string: one map lookup per run of them.
    let lastKey: string | undefined;
    let last = -1;
    for (let i = 0; i < plan.tasks.length; i++) {
      const key = (plan.tasks[i] as PlanTask).barrier;
      if (key !== lastKey) {
        lastKey = key;
        last = barrierIndexOf(plan, key) ?? -1;
      }
      taskBarrier[i] = last;
    }
    const barrierParent = new Int32Array(plan.barriers.length);
    for (let i = 0; i < plan.barriers.length; i++) {
      const parent = plan.barriers[i]?.parent ?? null;
      barrierParent[i] = parent === null ? -1 : (barrierIndexOf(plan, parent) ?? -1);
    }
    const runnable = new Uint8Array(plan.tasks.length);
    const external = plan.external ?? [];
    let lastName: string | undefined;
    let runs = 0;
    for (let i = 0; i < plan.tasks.length; i++) {
      const name = (plan.tasks[i] as PlanTask).name;
      if (name !== lastName) {
        lastName = name;
        runs = hasImplementation(name) && !external.includes(name) ? 1 : 0;
      }
      runnable[i] = runs;
    }
    view = { taskBarrier, barrierParent, runnable, models: plan.tasks.some((t) => t.sim !== undefined) };
    VIEWS.set(plan, view);
  }
  return view;
}
