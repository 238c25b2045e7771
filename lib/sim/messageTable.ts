/**
 * The loop's messages as numbers. A message of a plan task as the planner froze it (its key, id, name
 * and barrier; attempt offset 0; no priority) is the plan index itself, its few varying fields (args,
 * kwargs, retries, expiry) in per-task arrays — a plan task has one message on the broker at a time.
 * Anything else (a replacement, an add_to_chord addition, a message with a priority, a second message
 * of the same task) is kept as the object it is, under a negative handle. `message(h)` gives the
 * `TaskMessage` the core reads, with the same fields in the same order as the core's own
 * (`planTaskMessage`).
 */
import type { Json, JsonObject } from '../canvas/model';
import { type PlanArrays, planArrays } from '../engine/planArrays';
import { planTaskMessage } from '../engine/stepOut';
import type { PlanBarrier, PlanTask, RunPlan, TaskMessage } from '../engine/types';

export class MessageTable {
  /**
   * Args/kwargs that are not the plan task's own (call-time arguments of a chain step, a chord body):
   * made on the first such message (a group's members have none).
   */
  private args: Array<Json[] | undefined> | undefined;
  private kwargs: Array<JsonObject | undefined> | undefined;
  /**
   * Per plan task, side by side (one cache line where three arrays were three: tasks run out of plan
   * order on a mixed canvas): at `2i`, 0 when task `i` has no message on the broker, else its retries
   * + 1; at `2i + 1`, its expiry (NaN: none).
   */
  private readonly slots: Float64Array;
  private readonly tasks: number;
  private readonly objects: Array<TaskMessage | undefined> = [];
  private readonly freeObjects: number[] = [];
  /** One reusable message object per worker slot (`messageIn`). */
  private readonly views: Array<TaskMessage | undefined> = [];

  private readonly arrays: PlanArrays;

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.arrays = planArrays(plan);

    this.tasks = n;
    this.slots = new Float64Array(2 * n);
  }

  /** Forgets every message (another run of the same plan reuses the table). */
  reset(): void {
    this.slots.fill(0);
    this.args?.fill(undefined);
    this.kwargs?.fill(undefined);
    this.objects.length = 0;
    this.freeObjects.length = 0;
  }

  /** A handle for the first message of plan task `task` (what `StepOut.planMessage` describes). */
  planMessage(
    task: number,
    args: Json[],
    kwargs: JsonObject,
    expires_at: number | undefined,
    priority: number | undefined,
  ): number {
    if (priority === undefined && this.slots[2 * task] === 0) {
      this.setArgs(task, args, kwargs);
      this.slots[2 * task] = 1;
      this.slots[2 * task + 1] = expires_at ?? Number.NaN;
      return task;
    }
    const message = planTaskMessage(this.plan, task, args, kwargs, 0, expires_at, priority);
    return this.object(message);
  }

  /** A handle for any message (a retry of a plan message goes back to the plan index). */
  intern(m: TaskMessage): number {
    const i = m.task;
    if (i >= 0 && this.slots[2 * i] === 0 && m.dynamic === undefined && m.priority === undefined) {
      const t = this.plan.tasks[i] as PlanTask;
      if (m.attempt_offset === 0 && m.key === t.key && m.task_id === t.id && m.name === t.name) {
        if (m.barrier === t.barrier && m.run_id === this.plan.run_id) {
          this.setArgs(i, m.args, m.kwargs);
          this.slots[2 * i] = m.retries + 1;
          this.slots[2 * i + 1] = m.expires_at ?? Number.NaN;
          return i;
        }
      }
    }
    return this.object(m);
  }

  private setArgs(i: number, args: Json[], kwargs: JsonObject): void {
    if (args !== this.arrays.args[i]) {
      if (this.args === undefined) this.args = new Array<Json[] | undefined>(this.tasks).fill(undefined);
      this.args[i] = args;
    } else if (this.args !== undefined) this.args[i] = undefined;
    if (kwargs !== this.arrays.kwargs[i]) {
      if (this.kwargs === undefined)
        this.kwargs = new Array<JsonObject | undefined>(this.tasks).fill(undefined);
      this.kwargs[i] = kwargs;
    } else if (this.kwargs !== undefined) this.kwargs[i] = undefined;
  }

  private object(m: TaskMessage): number {
    const k = this.freeObjects.pop() ?? this.objects.length;
    this.objects[k] = m;
    return -k - 1;
  }

  /** The message behind handle `h`. */
  message(h: number): TaskMessage {
    if (h < 0) return this.objects[-h - 1] as TaskMessage;
    const t = this.plan.tasks[h] as PlanTask;
    const expires = this.slots[2 * h + 1] as number;
    return planTaskMessage(
      this.plan,
      h,
      this.args?.[h] ?? t.args,
      this.kwargs?.[h] ?? t.kwargs,
      (this.slots[2 * h] as number) - 1,
      Number.isNaN(expires) ? undefined : expires,
      undefined,
    );
  }

  /**
   * The message of handle `h` for an attempt in `slot`: a plan message without an expiry is written
   * into that slot's one object (the core only reads a message while it is called, and a slot runs one
   * attempt at a time), anything else is `message(h)`.
   */
  messageIn(h: number, slot: number): TaskMessage {
    if (h < 0 || !Number.isNaN(this.slots[2 * h + 1] as number)) return this.message(h);
    const view = this.views[slot];
    if (view === undefined) {
      const m = this.message(h);
      this.views[slot] = m;
      return m;
    }
    // From the plan's arrays and this table's, not the task's object: it was read when the message was
    // sent, long before it starts (a second cache miss per task on big canvases).
    const arrays = this.arrays;
    const b = arrays.barrier[h] as number;
    view.key = arrays.keys[h] as string;
    view.task_id = arrays.ids[h] as string;
    view.name = arrays.names[arrays.nameIndex[h] as number] as string;
    view.args = this.args?.[h] ?? (arrays.args[h] as Json[]);
    view.kwargs = this.kwargs?.[h] ?? (arrays.kwargs[h] as JsonObject);
    view.retries = (this.slots[2 * h] as number) - 1;
    view.task = h;
    view.barrier =
      b >= 0 ? (this.plan.barriers[b] as PlanBarrier).key : (this.plan.tasks[h] as PlanTask).barrier;
    return view;
  }

  /** The message of handle `h` is done with (finished, or retried under a new handle). */
  release(h: number): void {
    if (h >= 0) {
      this.slots[2 * h] = 0;
      if (this.args !== undefined) this.args[h] = undefined;
      if (this.kwargs !== undefined) this.kwargs[h] = undefined;
      return;
    }
    this.objects[-h - 1] = undefined;
    this.freeObjects.push(-h - 1);
  }
}
