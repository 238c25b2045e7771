/**
 * The simulator's critical-path bookkeeping: for every task, the task whose completion dispatched it
 * (by plan index, run-time tasks by id) and when it finished, then the walk back from the task that
 * finished last (`criticalPath`). Kept apart so the loop stays about scheduling.
 */
import type { PlanTask, RunPlan, TaskMessage } from '../engine/types';
import { criticalPath } from './criticalPath';
import { filled, taskIndex } from './loopParts';

export class CausalTrail {
  private readonly causeOf: Array<string | null | undefined>;
  /** Plan index of `causeOf[i]` (-1: none or a run-time task), so the walk back needs no id lookup. */
  private readonly causeIndex: Int32Array;
  /** Virtual end time by plan index (-1: not finished); typed arrays fill 100k slots without growth. */
  private readonly endAt: Float64Array;
  private readonly dynamicCause = new Map<string, string | null>();
  private readonly dynamicEnd = new Map<string, number>();
  /** The task whose completion is being applied (its id and plan index), or none. */
  private cause: string | null = null;
  private causeTask = -1;

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.causeOf = filled<string | null | undefined>(n, undefined);
    this.endAt = new Float64Array(n).fill(-1);
    this.causeIndex = new Int32Array(n).fill(-1);
  }

  /** The completion of `msg` is being applied: what it dispatches now has it as cause. */
  begin(msg: TaskMessage): void {
    this.cause = msg.task_id;
    // A delivery with a plan index carries that plan task's id (retries and replacements keep both).
    this.causeTask = msg.task;
  }

  end(): void {
    this.cause = null;
    this.causeTask = -1;
  }

  /** `m` is dispatched (its first dispatch names its cause). */
  dispatched(m: TaskMessage): void {
    if (m.task >= 0 && m.dynamic === undefined) this.dispatchedTask(m.task);
    else if (!this.dynamicCause.has(m.task_id)) this.dynamicCause.set(m.task_id, this.cause);
  }

  /** A message of plan task `task` (not a run-time one) is dispatched. */
  dispatchedTask(task: number): void {
    if (this.causeOf[task] === undefined) {
      this.causeOf[task] = this.cause;
      this.causeIndex[task] = this.causeTask;
    }
  }

  /** `msg`'s task reached its final state at `now`. */
  finished(msg: TaskMessage, now: number): void {
    if (msg.task >= 0 && msg.dynamic === undefined) this.endAt[msg.task] = now;
    else this.dynamicEnd.set(msg.task_id, now);
  }

  /** Critical path: from the task that finished last back along what dispatched each task. */
  path(): string[] {
    let last: string | undefined;
    let lastEnd = -1;
    // Plan indexes of the ids met on the walk (the full id index is only built for run-time tasks).
    const known = new Map<string, number>();
    const tasks = this.plan.tasks;
    let lastIndex = -1;
    for (let i = 0; i < tasks.length; i++) {
      const end = this.endAt[i] as number;
      if (end > lastEnd) {
        lastEnd = end;
        lastIndex = i;
        last = (tasks[i] as PlanTask).id;
      }
    }
    for (const [id, end] of this.dynamicEnd) {
      if (end > lastEnd) {
        lastEnd = end;
        lastIndex = -1;
        last = id;
      }
    }
    if (last !== undefined && lastIndex >= 0) known.set(last, lastIndex);
    return criticalPath(last, (id) => {
      const i = known.get(id) ?? taskIndex(this.plan).get(id);
      if (i === undefined) return this.dynamicCause.get(id);
      const cause = this.causeOf[i];
      const ci = this.causeIndex[i] as number;
      if (cause !== undefined && cause !== null && ci >= 0) known.set(cause, ci);
      return cause;
    });
  }
}
