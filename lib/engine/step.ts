/**
 * Building a `Step`: applying plan nodes with partial arguments (Celery's argument rules,
 * celery-semantics.md 2) into dispatches and their events, storing finals and chord reports.
 */
import type { Json, JsonObject } from '../canvas/model';
import { getOwn } from '../canvas/ownKeys';
import { expiresAtMs, startDelayMs } from '../canvas/sendOptions';
import type { TaskDescriptor, TaskError, UnsequencedRunEvent } from '../protocol/events';
import { F_CANVAS, F_IMMUTABLE, F_NO_KWARGS, F_PRIORITY, F_SEND_TIME, planArrays } from './planArrays';
import { StepCollector, type StepOut } from './stepOut';
import type { EventLevel, PlanNode, PlanTask, RunPlan, Step, TaskFinal, TaskMessage } from './types';
import { bindsPositionally, checkArguments } from './typing';

/**
 * What the transitions use to answer: Celery's argument rules for what they send (apply), chain and
 * chord marks, and the events at the level asked for, written into a `StepOut` (by default a
 * `StepCollector`, whose `step` is the public `Step`).
 */
export class StepBuilder {
  out: StepOut;
  plan: RunPlan;
  now: number;
  /** Which events to build (`EventLevel`); the dispatches, finals and reports are always complete. */
  level: EventLevel;

  constructor(plan: RunPlan, now: number, level: EventLevel = 'all', out?: StepOut) {
    this.plan = plan;
    this.now = now;
    this.level = level;
    this.out = out ?? new StepCollector(plan);
  }

  /**
   * A builder for one transition into `out`. The core's transitions take the one spare builder (and
   * give it back with `StepBuilder.done`) instead of making one per attempt: nobody keeps a builder
   * past its transition, and a transition started while another runs (none does today) gets its own.
   */
  static take(plan: RunPlan, now: number, level: EventLevel, out: StepOut): StepBuilder {
    const s = spare;
    if (s === undefined) return new StepBuilder(plan, now, level, out);
    spare = undefined;
    s.plan = plan;
    s.now = now;
    s.level = level;
    s.out = out;
    return s;
  }

  /** The transition that took `s` is over: `s` becomes the spare (not kept alive past it: no `out`). */
  static done(s: StepBuilder): void {
    s.out = DETACHED;
    spare = s;
  }

  /**
   * A successful attempt: its `task.succeeded` event, or at `outcomes` the `StepOut`'s `succeeded` when
   * it has one (no event object), nothing at `none`.
   */
  succeeded(taskId: string, task: number, attempt: number, result: Json, ignored: boolean): void {
    const level = this.level;
    if (level === 'none') return;
    const out = this.out;
    if (level === 'outcomes' && out.succeeded !== undefined) {
      out.succeeded(taskId, task, attempt, result, ignored);
      return;
    }
    const done = {
      run_id: this.plan.run_id,
      at: this.now,
      type: 'task.succeeded',
      task_id: taskId,
      attempt,
      result,
    } as const;
    out.event(ignored ? { ...done, ignored: true } : done);
  }

  /** The `Step` built so far (only when no `StepOut` was given). */
  get step(): Step {
    return (this.out as StepCollector).step;
  }

  event(e: UnsequencedRunEvent): void {
    if (this.level === 'none') return;
    this.out.event(e);
  }

  /** Stores the final of the task a message delivered (with its plan index when it has one). */
  final(
    msg: TaskMessage,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added?: string[],
  ): void {
    this.out.final(msg.task_id, msg.task >= 0 ? msg.task : -1, state, result, error, added);
  }

  /** Records a header report for the plan task (when it is a chord value leaf). */
  report(barrierIndex: number | undefined, grow?: number): void {
    if (barrierIndex === undefined) return;
    this.out.report(barrierIndex, grow);
  }

  /** Marks a never-run task FAILURE (chain remainder / chord body, celery-semantics.md 4.2, 6.2). */
  markFailed(t: PlanTask, index: number, error: TaskError): void {
    this.out.final(t.id, index, 'FAILURE', undefined, error, undefined);
    this.event({
      run_id: this.plan.run_id,
      at: this.now,
      type: 'task.failed',
      task_id: t.id,
      attempt: 0,
      error,
      marked: true,
    });
    this.report(t.reports);
  }

  /** Marks a never-run task REVOKED (group body of a failed chord). */
  markRevoked(t: PlanTask, index: number, reason: string): void {
    const error: TaskError = { type: 'TaskRevokedError', message: reason, args: [reason] };
    this.out.final(t.id, index, 'REVOKED', undefined, error, undefined);
    this.event({ run_id: this.plan.run_id, at: this.now, type: 'task.revoked', task_id: t.id, reason });
    this.report(t.reports);
  }

  /**
   * Applies node `index` with call-time `args`/`kwargs` (prepended/merged unless immutable): the
   * resulting dispatches go to the `StepOut`.
   */
  apply(index: number, args: Json[], kwargs: JsonObject): void {
    // A task node (a chain's next step, most often) is found in the plan's arrays: no node object.
    const ti = planArrays(this.plan).nodeTask[index] as number;
    if (ti >= 0) {
      this.taskDispatch(ti, args, kwargs);
      return;
    }
    const node = this.plan.nodes[index] as PlanNode;
    switch (node.kind) {
      case 'task':
        this.taskDispatch(node.task, args, kwargs);
        return;
      case 'chain': {
        const first = node.steps[0];
        if (first !== undefined) this.apply(first, args, kwargs);
        return;
      }
      case 'group':
        this.applyAll(node.members, args, kwargs);
        return;
      case 'chord':
        // Call-time arguments go to the header members; the body only ever gets the results list.
        this.out.openBarrier(node.barrier);
        this.applyAll(node.header, args, kwargs);
        this.out.closeBarrier();
        return;
    }
  }

  /** `apply` of each of `nodes` in order; a task node is found in the plan's arrays (no node object). */
  private applyAll(nodes: readonly number[], args: Json[], kwargs: JsonObject): void {
    const nodeTask = planArrays(this.plan).nodeTask;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as number;
      const ti = nodeTask[n] as number;
      if (ti >= 0) this.taskDispatch(ti, args, kwargs);
      else this.apply(n, args, kwargs);
    }
  }

  /**
   * Celery's apply-time argument check over what `apply(index, args, kwargs)` would send now (a chain's
   * first step, group members, chord header members — not chord bodies, applied later).
   * @returns the `TypeError` the apply raises, or `null`.
   */
  checkApply(index: number, args: Json[], kwargs: JsonObject): TaskError | null {
    return checkApply(this.plan, index, args, kwargs);
  }

  private taskDispatch(ti: number, args: Json[], kwargs: JsonObject): void {
    if (this.level !== 'all') {
      // The common send — a canvas task with no sending option, no priority, its first delivery (no
      // event below `all`) — decided from the plan's arrays, without the task's object or its options.
      const arrays = planArrays(this.plan);
      const flags = arrays.flags[ti] as number;
      if ((flags & (F_CANVAS | F_SEND_TIME | F_PRIORITY)) === F_CANVAS) {
        const own = arrays.args[ti] as Json[];
        const ownKwargs = arrays.kwargs[ti] as JsonObject;
        const immutable = (flags & F_IMMUTABLE) !== 0;
        const a = immutable || args.length === 0 ? own : concatArgs(args, own);
        const k = immutable || isEmpty(kwargs) ? ownKwargs : { ...ownKwargs, ...kwargs };
        this.out.planMessage(ti, a, k, 0, undefined, undefined);
        return;
      }
    }
    const t = this.plan.tasks[ti] as PlanTask;
    const a = t.immutable || args.length === 0 ? t.args : concatArgs(args, t.args);
    const k = t.immutable || isEmpty(kwargs) ? t.kwargs : { ...t.kwargs, ...kwargs };
    if (t.origin !== 'canvas')
      this.event({ run_id: this.plan.run_id, at: this.now, type: 'task.added', task: descriptorOf(t) });
    const o = t.options;
    // Celery's sending options, applied when the message is sent (most tasks have none).
    let delay = 0;
    let expires: number | undefined;
    if (o.apply_countdown !== undefined || o.eta !== undefined)
      delay = startDelayMs(o, this.now, this.plan.epoch_ms);
    if (o.expires !== undefined) expires = expiresAtMs(o, this.now, this.plan.epoch_ms);
    this.queuedEvent(t.id, ti, t.name, 1, delay, o.queue);
    this.out.planMessage(ti, a, k, delay, expires, o.priority);
  }

  /** The `task.queued` event of a message about to be dispatched. */
  queued(message: TaskMessage, delay_ms: number, queue: string | undefined): void {
    this.queuedEvent(
      message.task_id,
      message.task,
      message.name,
      message.attempt_offset + message.retries + 1,
      delay_ms,
      queue,
    );
  }

  private queuedEvent(
    taskId: string,
    task: number,
    name: string,
    attempt: number,
    delay_ms: number,
    queue: string | undefined,
  ): void {
    // A first delivery is queued under the name it was announced with (`outcomes` leaves it out).
    if (this.level !== 'all' && (this.level === 'none' || attempt === 1)) return;
    const e: UnsequencedRunEvent = {
      run_id: this.plan.run_id,
      at: this.now,
      type: 'task.queued',
      task_id: taskId,
      name: (task >= 0 ? this.plan.tasks[task]?.options.shadow : undefined) ?? name,
      attempt,
    };
    if (delay_ms > 0) e.eta_ms = this.now + delay_ms;
    if (queue !== undefined) e.queue = queue;
    this.event(e);
  }
}

/** The spare builder of `StepBuilder.take`. */
let spare: StepBuilder | undefined;

/** What a spare builder points at between transitions (it must not keep the last `StepOut` alive). */
const DETACHED: StepOut = {
  event() {},
  final() {},
  report() {},
  planMessage() {},
  message() {},
  openBarrier() {},
  closeBarrier() {},
  retry() {},
  finish() {},
};

/**
 * The `TypeError` Celery's `Task.typing` raises when node `index` is applied with call-time `args` and
 * `kwargs` (celery-semantics.md 2 for how they merge), or `null` when every signature sent binds.
 */
export function checkApply(plan: RunPlan, index: number, args: Json[], kwargs: JsonObject): TaskError | null {
  const signatures = plan.signatures;
  if (signatures === undefined) return null;
  return visitApply(plan, signatures, index, args, kwargs);
}

/** `checkApply`'s walk (a module function, not a closure made on every successful attempt). */
function visitApply(
  plan: RunPlan,
  signatures: NonNullable<RunPlan['signatures']>,
  i: number,
  args: Json[],
  kwargs: JsonObject,
): TaskError | null {
  const arrays = planArrays(plan);
  const ti = arrays.nodeTask[i] as number;
  if (ti >= 0) {
    // A send of positional arguments only whose count this task name was already seen to bind with:
    // decided from the plan's arrays, without the task's object or its parameters.
    const flags = arrays.flags[ti] as number;
    const own = (flags & F_IMMUTABLE) !== 0 || args.length === 0;
    const count = own ? (arrays.argc[ti] as number) : args.length + (arrays.argc[ti] as number);
    const noKwargs = (flags & F_NO_KWARGS) !== 0 && ((flags & F_IMMUTABLE) !== 0 || isEmpty(kwargs));
    const name = arrays.nameIndex[ti] as number;
    if (noKwargs && count < 31 && ((arrays.binds[name] as number) & (1 << count)) !== 0) return null;
    const t = plan.tasks[ti] as PlanTask;
    const params = getOwn(signatures, t.name);
    if (params === undefined) {
      // A task without a checked signature (a user task): every send of its name binds.
      arrays.binds[name] = -1;
      return null;
    }
    const k = (flags & F_IMMUTABLE) !== 0 || isEmpty(kwargs) ? t.kwargs : { ...t.kwargs, ...kwargs };
    // Most sends bind by count alone: the merged argument list is built only to check in full.
    if (bindsPositionally(params, count, k)) {
      if (noKwargs && count < 31) arrays.binds[name] = (arrays.binds[name] as number) | (1 << count);
      return null;
    }
    return checkArguments(t.name, params, own ? t.args : concatArgs(args, t.args), k);
  }
  const node = plan.nodes[i] as PlanNode;
  switch (node.kind) {
    case 'task':
      return null; // never reached: task nodes are decided above

    case 'chain':
      return node.steps[0] === undefined ? null : visitApply(plan, signatures, node.steps[0], args, kwargs);
    case 'group':
      for (let i = 0; i < node.members.length; i++) {
        const e = visitApply(plan, signatures, node.members[i] as number, args, kwargs);
        if (e) return e;
      }
      return null;
    case 'chord':
      for (let i = 0; i < node.header.length; i++) {
        const e = visitApply(plan, signatures, node.header[i] as number, args, kwargs);
        if (e) return e;
      }
      return null;
  }
}

/**
 * `[...callArgs, ...own]` (Celery prepends call-time args) as one exact-size copy: no iterators, and no
 * spare capacity kept alive by the 100k messages and events that hold these lists.
 */
function concatArgs(callArgs: Json[], own: Json[]): Json[] {
  const n = callArgs.length;
  const out = new Array<Json>(n + own.length);
  for (let i = 0; i < n; i++) out[i] = callArgs[i] as Json;
  for (let i = 0; i < own.length; i++) out[n + i] = own[i] as Json;
  return out;
}

function isEmpty(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

/** The static descriptor of a plan task (run.started / task.added). */
export function descriptorOf(t: PlanTask): TaskDescriptor {
  // Celery `shadow`: the name monitoring shows; the task that runs is still `t.name`.
  return { task_id: t.id, name: t.options.shadow ?? t.name, origin: t.origin, path: t.path };
}
