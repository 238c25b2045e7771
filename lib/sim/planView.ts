/**
 * What the loop needs of a plan as numbers, computed once per plan (Monte Carlo runs one plan a
 * thousand times): the barrier index each plan task's messages go under, each barrier's parent index.
 */
import { F_NO_KWARGS, planArrays } from '../engine/planArrays';
import { barrierIndexOf } from '../engine/planIndex';
import { hasImplementation } from '../engine/tasks';
import type { PlanTask, RunPlan } from '../engine/types';
import { DEFAULT_DURATION_MS } from './attempt';

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
  /**
   * Per plan task: its attempt's duration (ms) when an attempt is only its code's direct answer — runnable,
   * a fixed duration (or none), no time limit, no kwargs of its own (a direct answer takes none) — so the
   * loop decides it without the task's object; NaN otherwise (`performAttempt`). A node's own SimModel
   * (`LoopOptions.models`) still goes the long way.
   */
  quickMs: Float64Array;
}

const VIEWS = new WeakMap<RunPlan, PlanView>();

/** The plan's `PlanView` (cached): from the core's `planArrays`, and one pass over the task objects (`quickMs`). */
export function planView(plan: RunPlan): PlanView {
  let view = VIEWS.get(plan);
  if (view === undefined) {
    const arrays = planArrays(plan);
    const barrierParent = new Int32Array(plan.barriers.length);
    for (let i = 0; i < plan.barriers.length; i++) {
      const parent = plan.barriers[i]?.parent ?? null;
      barrierParent[i] = parent === null ? -1 : (barrierIndexOf(plan, parent) ?? -1);
    }
    // Whether the engine runs a task's code is a property of its name: decided once per name.
    const external = plan.external ?? [];
    const byName = arrays.names.map((name) => (hasImplementation(name) && !external.includes(name) ? 1 : 0));
    const runnable = new Uint8Array(plan.tasks.length);
    const nameIndex = arrays.nameIndex;
    for (let i = 0; i < runnable.length; i++) runnable[i] = byName[nameIndex[i] as number] as number;
    const quickMs = new Float64Array(plan.tasks.length);
    for (let i = 0; i < quickMs.length; i++) {
      const t = plan.tasks[i] as PlanTask;
      const d = t.duration_ms ?? DEFAULT_DURATION_MS;
      const o = t.options;
      const fixed = typeof d === 'number' ? d : d.dist === 'fixed' ? d.ms : Number.NaN;
      quickMs[i] =
        runnable[i] === 1 &&
        o.soft_time_limit === undefined &&
        o.time_limit === undefined &&
        ((arrays.flags[i] as number) & F_NO_KWARGS) !== 0
          ? Math.round(Math.max(0, fixed))
          : Number.NaN;
    }
    view = {
      taskBarrier: arrays.barrier,
      barrierParent,
      runnable,
      models: arrays.models,
      quickMs,
    };
    VIEWS.set(plan, view);
  }
  return view;
}
