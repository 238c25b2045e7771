/**
 * Where the core's transitions write their answer. The transitions (core.ts, barrier.ts, failure.ts)
 * decide once and say what follows through a `StepOut`; `StepCollector` turns that into the `Step`
 * object of the public API (the cluster's workers, the Celery tracker, tests). An interpreter that runs
 * a whole canvas in one process (the simulator) may pass its own `StepOut` instead and keep what it is
 * told in its own form (numbers in typed arrays): the same decisions, without a `Step`, a `Dispatch`,
 * a `TaskMessage` and a `TaskFinal` object per task.
 */
import type { Json, JsonObject } from '../canvas/model';
import type { RunStatus, TaskError, UnsequencedRunEvent } from '../protocol/events';
import type {
  BarrierMessage,
  ChordReport,
  Dispatch,
  PlanBarrier,
  PlanTask,
  RunPlan,
  Step,
  TaskFinal,
  TaskMessage,
} from './types';

/**
 * The answer of one transition, item by item, in the order the core decides them. Events reach it only
 * at the `EventLevel` the transition was asked for. Everything a `Step` holds has a method here; see
 * `lib/engine/CONTEXT.md` ("Step") for the order an interpreter applies them in.
 */
export interface StepOut {
  /** An event to append (unsequenced). */
  event(e: UnsequencedRunEvent): void;
  /**
   * Task `taskId` (plan index `task`, -1 for a run-time task) reached a final state. A `SUCCESS` has
   * `result` (and `added` when it called add_to_chord); a `FAILURE`/`REVOKED` has `error`.
   */
  final(
    taskId: string,
    task: number,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added: string[] | undefined,
  ): void;
  /** A header report to chord barrier `barrier` (plan index): done + 1, or its total + `grow`. */
  report(barrier: number, grow: number | undefined): void;
  /**
   * The first message of plan task `task` (its key, id, name and barrier are the plan task's; retries
   * and attempt offset 0), after `delay_ms`, under the plan task's barrier.
   */
  planMessage(
    task: number,
    args: Json[],
    kwargs: JsonObject,
    delay_ms: number,
    expires_at: number | undefined,
    priority: number | undefined,
  ): void;
  /** Any other new message (a replacement, an add_to_chord addition), under `message.barrier`. */
  message(message: TaskMessage, delay_ms: number): void;
  /**
   * Plan barrier `barrier` is dispatched (under its plan parent); the dispatches until the matching
   * `closeBarrier` are its initial children.
   */
  openBarrier(barrier: number): void;
  closeBarrier(): void;
  /** The attempt is retried: `message` (same key, `retries + 1`) after `countdown_ms`. */
  retry(message: TaskMessage, countdown_ms: number): void;
  /** The run root was released: the run is over. */
  finish(status: RunStatus, result: Json | undefined, error: TaskError | undefined): void;
  /**
   * Optional, for an interpreter that records outcomes as numbers: at `EventLevel` `outcomes` the core
   * says an attempt succeeded here (the `task.succeeded` event it stands for, at the transition's `now`)
   * instead of building that event. Absent (`StepCollector`), or at `all`, the event comes as ever.
   */
  succeeded?(taskId: string, task: number, attempt: number, result: Json, ignored: boolean): void;
}

/**
 * The shared empty list a Step's events, finals and reports start as: the collector replaces it with a
 * list of its own on the first item (never pushes into it), so a Step costs no empty arrays (a push
 * onto an empty array reserves 17 slots, and the cluster builds a Step per attempt).
 */
const NONE = Object.freeze([]) as unknown as never[];

/** Builds the public `Step` object from what a transition says. */
export class StepCollector implements StepOut {
  readonly step: Step = { events: NONE, dispatch: [], finals: NONE, reports: NONE };
  /** Where dispatches go: the step's list, or the children of the barrier being dispatched. */
  private target: Dispatch[] = this.step.dispatch;
  private readonly outer: Dispatch[][] = [];

  constructor(private readonly plan: RunPlan) {}

  event(e: UnsequencedRunEvent): void {
    const events = this.step.events;
    if (events.length === 0) this.step.events = [e];
    else events.push(e);
  }

  final(
    taskId: string,
    task: number,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added: string[] | undefined,
  ): void {
    const final: TaskFinal =
      state !== 'SUCCESS'
        ? { state, error: error as TaskError }
        : added !== undefined
          ? { state, result: result as Json, added }
          : { state, result: result as Json };
    const f = task >= 0 ? { task_id: taskId, final, task } : { task_id: taskId, final };
    const finals = this.step.finals;
    if (finals.length === 0) this.step.finals = [f];
    else finals.push(f);
  }

  report(barrier: number, grow: number | undefined): void {
    const b = this.plan.barriers[barrier] as PlanBarrier;
    const r: ChordReport =
      grow === undefined ? { barrier: b.key, chord_id: b.path } : { barrier: b.key, chord_id: b.path, grow };
    const reports = this.step.reports;
    if (reports.length === 0) this.step.reports = [r];
    else reports.push(r);
  }

  planMessage(
    task: number,
    args: Json[],
    kwargs: JsonObject,
    delay_ms: number,
    expires_at: number | undefined,
    priority: number | undefined,
  ): void {
    const message = planTaskMessage(this.plan, task, args, kwargs, 0, expires_at, priority);
    this.target.push({ message, parentBarrier: message.barrier, delay_ms });
  }

  message(message: TaskMessage, delay_ms: number): void {
    this.target.push({ message, parentBarrier: message.barrier, delay_ms });
  }

  openBarrier(barrier: number): void {
    const b = this.plan.barriers[barrier] as PlanBarrier;
    const message: BarrierMessage = {
      kind: 'barrier',
      key: b.key,
      run_id: this.plan.run_id,
      barrier,
      total: b.total,
    };
    const children: Dispatch[] = [];
    this.target.push({ message, parentBarrier: b.parent, delay_ms: 0, children });
    this.outer.push(this.target);
    this.target = children;
  }

  closeBarrier(): void {
    this.target = this.outer.pop() ?? this.step.dispatch;
  }

  retry(message: TaskMessage, countdown_ms: number): void {
    this.step.retry = { countdown_ms, message };
  }

  finish(status: RunStatus, result: Json | undefined, error: TaskError | undefined): void {
    this.step.finish =
      status === 'success' ? { status, result: result as Json } : { status, error: error as TaskError };
  }
}

/**
 * The message of plan task `task` as the planner froze it (key, id, name, barrier; attempt offset 0)
 * with the given arguments. Every interpreter builds plan messages here, so their fields (and the order
 * of their keys, which serialized reports and fingerprints see) are the same everywhere.
 */
export function planTaskMessage(
  plan: RunPlan,
  task: number,
  args: Json[],
  kwargs: JsonObject,
  retries: number,
  expires_at: number | undefined,
  priority: number | undefined,
): TaskMessage {
  const t = plan.tasks[task] as PlanTask;
  const message: TaskMessage = {
    kind: 'task',
    key: t.key,
    run_id: plan.run_id,
    task_id: t.id,
    name: t.name,
    args,
    kwargs,
    retries,
    task,
    barrier: t.barrier,
    attempt_offset: 0,
  };
  if (expires_at !== undefined) message.expires_at = expires_at;
  if (priority !== undefined) message.priority = priority;
  return message;
}
