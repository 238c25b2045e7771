/**
 * Building a `Step`: applying plan nodes with partial arguments (Celery's argument rules,
 * celery-semantics.md 2) into dispatches and their events, storing finals and chord reports.
 */
import type { Json, JsonObject } from '../canvas/model';
import { getOwn } from '../canvas/ownKeys';
import { expiresAtMs, startDelayMs } from '../canvas/sendOptions';
import type { TaskDescriptor, TaskError, UnsequencedRunEvent } from '../protocol/events';
import type {
  BarrierMessage,
  ChordReport,
  Dispatch,
  EventLevel,
  PlanBarrier,
  PlanNode,
  PlanTask,
  RunPlan,
  Step,
  TaskFinal,
  TaskMessage,
} from './types';
import { checkArguments } from './typing';

/**
 * Mutable builder of one Step. Its events, finals and reports are only ever added through the builder,
 * which puts a first item in an exact-size list: a push onto an empty array reserves 17 slots, and a
 * 100,000-task run builds a Step per attempt (most with one event, one final, one report).
 */
/**
 * The shared empty list a Step's events, finals and reports start as: the builder replaces it with a
 * list of its own on the first item (never pushes into it), so a Step costs no empty arrays.
 */
const NONE = Object.freeze([]) as unknown as never[];

export class StepBuilder {
  readonly step: Step = { events: NONE, dispatch: [], finals: NONE, reports: NONE };

  constructor(
    readonly plan: RunPlan,
    readonly now: number,
    /** Which events to build (`EventLevel`); the dispatches, finals and reports are always complete. */
    readonly level: EventLevel = 'all',
  ) {}

  event(e: UnsequencedRunEvent): void {
    if (this.level === 'none') return;
    const events = this.step.events;
    if (events.length === 0) this.step.events = [e];
    else events.push(e);
  }

  /** Adds a final (a first one as an exact-size list). */
  private addFinal(f: Step['finals'][number]): void {
    const finals = this.step.finals;
    if (finals.length === 0) this.step.finals = [f];
    else finals.push(f);
  }

  /** Stores the final of the task a message delivered (with its plan index when it has one). */
  final(msg: TaskMessage, final: TaskFinal): void {
    if (msg.task >= 0) this.addFinal({ task_id: msg.task_id, final, task: msg.task });
    else this.addFinal({ task_id: msg.task_id, final });
  }

  /** Records a header report for the plan task (when it is a chord value leaf). */
  report(barrierIndex: number | undefined, grow?: number): void {
    if (barrierIndex === undefined) return;
    const b = this.plan.barriers[barrierIndex] as PlanBarrier;
    const r: ChordReport =
      grow === undefined ? { barrier: b.key, chord_id: b.path } : { barrier: b.key, chord_id: b.path, grow };
    const reports = this.step.reports;
    if (reports.length === 0) this.step.reports = [r];
    else reports.push(r);
  }

  /** Marks a never-run task FAILURE (chain remainder / chord body, celery-semantics.md 4.2, 6.2). */
  markFailed(t: PlanTask, index: number, error: TaskError): void {
    this.addFinal({ task_id: t.id, final: { state: 'FAILURE', error }, task: index });
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
    this.addFinal({ task_id: t.id, final: { state: 'REVOKED', error }, task: index });
    this.event({ run_id: this.plan.run_id, at: this.now, type: 'task.revoked', task_id: t.id, reason });
    this.report(t.reports);
  }

  /**
   * Applies node `index` with call-time `args`/`kwargs` (prepended/merged unless immutable) and appends
   * the resulting dispatches to `out`.
   */
  apply(index: number, args: Json[], kwargs: JsonObject, out: Dispatch[] = this.step.dispatch): void {
    const node = this.plan.nodes[index] as PlanNode;
    switch (node.kind) {
      case 'task':
        out.push(this.taskDispatch(node.task, args, kwargs));
        return;
      case 'chain': {
        const first = node.steps[0];
        if (first !== undefined) this.apply(first, args, kwargs, out);
        return;
      }
      case 'group':
        for (const m of node.members) this.apply(m, args, kwargs, out);
        return;
      case 'chord': {
        const b = this.plan.barriers[node.barrier] as PlanBarrier;
        const children: Dispatch[] = [];
        // Call-time arguments go to the header members; the body only ever gets the results list.
        for (const h of node.header) this.apply(h, args, kwargs, children);
        const message: BarrierMessage = {
          kind: 'barrier',
          key: b.key,
          run_id: this.plan.run_id,
          barrier: node.barrier,
          total: b.total,
        };
        out.push({ message, parentBarrier: b.parent, delay_ms: 0, children });
        return;
      }
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

  private taskDispatch(ti: number, args: Json[], kwargs: JsonObject): Dispatch {
    const t = this.plan.tasks[ti] as PlanTask;
    const message: TaskMessage = {
      kind: 'task',
      key: t.key,
      run_id: this.plan.run_id,
      task_id: t.id,
      name: t.name,
      args: t.immutable || args.length === 0 ? t.args : concatArgs(args, t.args),
      kwargs: t.immutable || isEmpty(kwargs) ? t.kwargs : { ...t.kwargs, ...kwargs },
      retries: 0,
      task: ti,
      barrier: t.barrier,
      attempt_offset: 0,
    };
    if (t.origin !== 'canvas')
      this.event({ run_id: this.plan.run_id, at: this.now, type: 'task.added', task: descriptorOf(t) });
    const o = t.options;
    // Celery's sending options, applied when the message is sent (most tasks have none).
    let delay = 0;
    if (o.apply_countdown !== undefined || o.eta !== undefined)
      delay = startDelayMs(o, this.now, this.plan.epoch_ms);
    if (o.expires !== undefined) {
      const at = expiresAtMs(o, this.now, this.plan.epoch_ms);
      if (at !== undefined) message.expires_at = at;
    }
    if (o.priority !== undefined) message.priority = o.priority;
    this.queued(message, delay, o.queue);
    return { message, parentBarrier: t.barrier, delay_ms: delay };
  }

  /** The `task.queued` event of a message about to be dispatched. */
  queued(message: TaskMessage, delay_ms: number, queue: string | undefined): void {
    if (this.level !== 'all' && (this.level === 'none' || message.attempt_offset + message.retries === 0))
      return;
    const e: UnsequencedRunEvent = {
      run_id: this.plan.run_id,
      at: this.now,
      type: 'task.queued',
      task_id: message.task_id,
      name: (message.task >= 0 ? this.plan.tasks[message.task]?.options.shadow : undefined) ?? message.name,
      attempt: message.attempt_offset + message.retries + 1,
    };
    if (delay_ms > 0) e.eta_ms = this.now + delay_ms;
    if (queue !== undefined) e.queue = queue;
    this.event(e);
  }
}

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
  const node = plan.nodes[i] as PlanNode;
  switch (node.kind) {
    case 'task': {
      const t = plan.tasks[node.task] as PlanTask;
      const params = getOwn(signatures, t.name);
      if (params === undefined) return null;
      const a = t.immutable || args.length === 0 ? t.args : concatArgs(args, t.args);
      const k = t.immutable || isEmpty(kwargs) ? t.kwargs : { ...t.kwargs, ...kwargs };
      return checkArguments(t.name, params, a, k);
    }
    case 'chain':
      return node.steps[0] === undefined ? null : visitApply(plan, signatures, node.steps[0], args, kwargs);
    case 'group':
      for (const m of node.members) {
        const e = visitApply(plan, signatures, m, args, kwargs);
        if (e) return e;
      }
      return null;
    case 'chord':
      for (const h of node.header) {
        const e = visitApply(plan, signatures, h, args, kwargs);
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
