/**
 * The transitions of the semantic core (events in → commands out): start of a run, start and end of
 * one attempt (retry, success with its continuation, final failure with chain marks and errbacks),
 * and barrier release (chord body or ChordError; run end). Pure: time and randomness come in `env`.
 * What one delivery is (attempt number, start event, request, time limit and expiry) is in delivery.ts.
 */
import type { Json, JsonObject } from '../canvas/model';
import type { TaskDescriptor, TaskError } from '../protocol/events';
import { attemptOf, optionsOf, planTask } from './delivery';
import { callErrbacks, markRemainder } from './failure';
import { F_IGNORE_RESULT, F_LINKS, planArrays } from './planArrays';
import { barrierIndexOf } from './planIndex';
import { pyException } from './python';
import { autoRetry, manualRetry, type RetryContext, type RetryDecision } from './retry';
import { descriptorOf, StepBuilder } from './step';
import { StepCollector, type StepOut } from './stepOut';
import type {
  AttemptOutcome,
  Env,
  EventLevel,
  PlanNode,
  PlanTask,
  ResolvedOptions,
  RunPlan,
  Step,
  TaskMessage,
} from './types';

/**
 * `run.started` plus the first dispatch: the run root barrier with the top-level canvas under it.
 * `events` below `all` leaves `run.started` out (see `EventLevel`).
 */
export function startRun(plan: RunPlan, now = 0, events: EventLevel = 'all'): Step {
  const out = new StepCollector(plan);
  startRunInto(out, plan, now, events);
  return out.step;
}

/** `startRun`, answered into `out` (see `StepOut`). */
export function startRunInto(out: StepOut, plan: RunPlan, now = 0, events: EventLevel = 'all'): void {
  const s = new StepBuilder(plan, now, events, out);
  if (events === 'all') {
    const tasks: TaskDescriptor[] = [];
    for (const t of plan.tasks) if (t.origin === 'canvas') tasks.push(descriptorOf(t));
    s.event({ run_id: s.plan.run_id, at: s.now, type: 'run.started', tasks });
  }
  // The run root (plan barrier 0) with the top-level canvas as its children.
  out.openBarrier(0);
  s.apply(plan.top, plan.invoke.args, plan.invoke.kwargs);
  out.closeBarrier();
}

/** Decides what follows one finished attempt of `msg` (celery-semantics.md 3, 4, 8, 9). */
export function onAttemptFinished(plan: RunPlan, msg: TaskMessage, outcome: AttemptOutcome, env: Env): Step {
  const out = new StepCollector(plan);
  onAttemptFinishedInto(out, plan, msg, outcome, env);
  return out.step;
}

/**
 * `onAttemptFinished`, answered into `out` (see `StepOut`). `msg` is only read while the call runs (an
 * interpreter may pass one object it refills for every delivery).
 */
export function onAttemptFinishedInto(
  out: StepOut,
  plan: RunPlan,
  msg: TaskMessage,
  outcome: AttemptOutcome,
  env: Env,
): void {
  const s = StepBuilder.take(plan, env.now, env.events ?? 'all', out);
  const attempt = attemptOf(msg);
  if (outcome.observations !== undefined) {
    for (const observation of outcome.observations) {
      s.event({ run_id: s.plan.run_id, at: s.now, type: 'observation', observation });
    }
  }
  switch (outcome.kind) {
    case 'success':
      succeed(s, msg, attempt, outcome.value, outcome.add_to_chord ?? NO_SIGS);
      break;
    case 'replace':
      replace(s, msg, attempt, outcome.sig);
      break;
    case 'retry': {
      const call: { exc?: TaskError; countdown_s?: number; max_retries?: number | null } = {};
      if (outcome.exc !== undefined) call.exc = outcome.exc;
      if (outcome.countdown_s !== undefined) call.countdown_s = outcome.countdown_s;
      if (outcome.max_retries !== undefined) call.max_retries = outcome.max_retries;
      decide(s, msg, attempt, manualRetry(optionsOf(plan, msg), retryContext(msg), call), outcome.exc);
      break;
    }
    case 'revoked':
      revoke(s, msg, outcome.reason);
      break;
    case 'error': {
      const options = optionsOf(plan, msg);
      const decision =
        options.autoretry_for.length === 0
          ? null
          : autoRetry(options, retryContext(msg), outcome.error, env.random);
      if (decision === null) fail(s, msg, attempt, outcome.error);
      else decide(s, msg, attempt, decision, outcome.error);
      break;
    }
  }
  StepBuilder.done(s);
}

/**
 * An expired message: Celery's worker stores REVOKED with `TaskRevokedError('expired')` and reports it to
 * its chord (whose body then fails with ChordError); no callback or errback runs. Celery sends nothing
 * more of the chain; Chordflow marks the rest FAILURE with that error so the run settles
 * (lib/engine/CONTEXT.md).
 */
function revoke(s: StepBuilder, msg: TaskMessage, reason: string): void {
  const error = pyException('TaskRevokedError', reason);
  s.final(msg, 'REVOKED', undefined, error);
  s.event({ run_id: s.plan.run_id, at: s.now, type: 'task.revoked', task_id: msg.task_id, reason, error });
  s.report(reportsOf(s.plan, msg));
  const t = planTask(s.plan, msg);
  if (t !== undefined) markRemainder(s, (s.plan.nodes[t.node] as PlanNode).next, error);
}

/** What a retry decision needs to know about the delivery (built only when an attempt failed). */
function retryContext(msg: TaskMessage): RetryContext {
  return { name: msg.name, id: msg.task_id, args: msg.args, kwargs: msg.kwargs, retries: msg.retries };
}

function decide(
  s: StepBuilder,
  msg: TaskMessage,
  attempt: number,
  decision: RetryDecision,
  exc: TaskError | undefined,
): void {
  if (!decision.retry) {
    fail(s, msg, attempt, decision.error);
    return;
  }
  // Celery stores RETRY with the exc (or a Retry exception) as result.
  const error = exc ?? pyException('Retry', `Retry in ${decision.countdown_ms / 1000}s`);
  s.event({
    run_id: s.plan.run_id,
    at: s.now,
    type: 'task.retried',
    task_id: msg.task_id,
    attempt,
    countdown_ms: decision.countdown_ms,
    error,
  });
  const next: TaskMessage = { ...msg, retries: msg.retries + 1 };
  s.queued(next, decision.countdown_ms, optionsOf(s.plan, msg).queue);
  s.out.retry(next, decision.countdown_ms);
}

function reportsOf(plan: RunPlan, msg: TaskMessage): number | undefined {
  if (msg.task < 0) return msg.dynamic?.reports;
  const b = planArrays(plan).reports[msg.task] as number;
  return b < 0 ? undefined : b;
}

function succeed(
  s: StepBuilder,
  msg: TaskMessage,
  attempt: number,
  value: Json,
  added: TaskOutcomeSigs,
): void {
  const plan = s.plan;
  // What follows a success is read from the plan's arrays (planArrays.ts), the task's object only when
  // it has callbacks or a next step to send.
  const ti = msg.task;
  const arrays = planArrays(plan);
  const flags = ti >= 0 ? (arrays.flags[ti] as number) : 0;
  const next = ti >= 0 ? (arrays.next[ti] as number) : -1;
  const hasLinks = (flags & F_LINKS) !== 0;
  const addedIds: string[] = added.length > 0 ? [] : NO_IDS;
  if (added.length > 0) {
    const bi = barrierIndexOf(plan, msg.barrier);
    s.report(bi, added.length);
    added.forEach((sig, i) => {
      const dyn = plan.dynamic[sig.name];
      const id = `${msg.task_id}-added-${i}`;
      addedIds.push(id);
      const path = `${(ti >= 0 ? (plan.tasks[ti] as PlanTask).path : undefined) ?? msg.dynamic?.path ?? ''}.added.${i}`;
      const message: TaskMessage = {
        kind: 'task',
        key: `${msg.key}~a${i}`,
        run_id: plan.run_id,
        task_id: id,
        name: sig.name,
        args: sig.args,
        kwargs: sig.kwargs,
        retries: 0,
        task: -1,
        barrier: msg.barrier,
        attempt_offset: 0,
        dynamic: {
          options: dyn?.options ?? defaultOptions(),
          origin: 'dynamic',
          path,
          errback_style: dyn?.errback_style ?? 'old',
        },
      };
      if (bi !== undefined && message.dynamic) message.dynamic.reports = bi;
      s.event({
        run_id: s.plan.run_id,
        at: s.now,
        type: 'task.added',
        task: { task_id: id, name: sig.name, origin: 'dynamic', path },
      });
      s.queued(message, 0, message.dynamic?.options.queue);
      s.out.message(message, 0);
    });
  }
  // The call-time arguments of the callbacks and the next step: never stored (apply and checkApply copy
  // them into each message), so one list serves the check and every apply (none when nothing follows).
  const sends = ti >= 0 && (hasLinks || next >= 0);
  const callArgs: Json[] = sends ? [value] : NO_ARGS;
  // The task's object only when it has callbacks (a chain step's next is in the arrays).
  const links = hasLinks ? (plan.tasks[ti] as PlanTask).links : NO_LINKS;
  if (sends && added.length === 0) {
    // Celery sends the callbacks, then the next chain step, before it stores SUCCESS; a signature whose
    // arguments don't bind raises TypeError there (Task.typing) and the task ends FAILURE instead.
    const typing = sendError(s, links, next, callArgs);
    if (typing !== null) {
      fail(s, msg, attempt, typing.error, typing.skipNext);
      return;
    }
  }
  s.final(msg, 'SUCCESS', value, undefined, addedIds.length > 0 ? addedIds : undefined);
  s.succeeded(msg.task_id, ti, attempt, value, (flags & F_IGNORE_RESULT) !== 0);
  s.report(reportsOf(plan, msg));
  if (!sends) return;
  // Callbacks first (Celery sends links before storing the result), then the rest of the chain.
  // Indexed loops: `for…of` over the plan's shared frozen empty lists allocates an iterator per task.
  for (let i = 0; i < links.length; i++) s.apply(links[i] as number, callArgs, NO_KWARGS);
  if (next >= 0) s.apply(next, callArgs, NO_KWARGS);
}

/** Empty call-time kwargs (read only: apply merges them into a new object or uses the task's own). */
const NO_KWARGS: JsonObject = Object.freeze({}) as JsonObject;

const NO_IDS: string[] = [];
/** A task without callbacks (read only). */
const NO_LINKS: readonly number[] = Object.freeze([]);
/** Call-time arguments nobody reads (a task with no callback and no next step). */
const NO_ARGS: Json[] = Object.freeze([]) as unknown as Json[];
const NO_SIGS: TaskOutcomeSigs = [];

type TaskOutcomeSigs = NonNullable<Extract<AttemptOutcome, { kind: 'success' }>['add_to_chord']>;

function defaultOptions(): ResolvedOptions {
  return {
    max_retries: 3,
    default_retry_delay: 180,
    autoretry_for: [],
    retry_backoff: false,
    retry_backoff_max: 600,
    retry_jitter: true,
  };
}

function replace(
  s: StepBuilder,
  msg: TaskMessage,
  attempt: number,
  sig: { name: string; args: Json[]; kwargs: Json },
): void {
  const plan = s.plan;
  const dyn = plan.dynamic[sig.name];
  const t = planTask(plan, msg);
  const kwargs =
    sig.kwargs !== null && typeof sig.kwargs === 'object' && !Array.isArray(sig.kwargs) ? sig.kwargs : {};
  // Frozen with the current task id; inherits callbacks, errbacks, chord membership and the chain rest.
  const message: TaskMessage = {
    ...msg,
    key: `${t?.key ?? msg.key}~r${attempt}`,
    name: sig.name,
    args: sig.args,
    kwargs,
    retries: 0,
    attempt_offset: attempt,
    dynamic: {
      options: dyn?.options ?? defaultOptions(),
      origin: t?.origin ?? msg.dynamic?.origin ?? 'dynamic',
      path: t?.path ?? msg.dynamic?.path ?? '',
      errback_style: dyn?.errback_style ?? 'old',
    },
  };
  const reports = msg.dynamic?.reports;
  if (reports !== undefined && message.dynamic) message.dynamic.reports = reports;
  s.event({
    run_id: s.plan.run_id,
    at: s.now,
    type: 'task.replaced',
    task_id: msg.task_id,
    attempt,
    name: sig.name,
  });
  s.queued(message, 0, message.dynamic?.options.queue);
  s.out.message(message, 0);
}

/**
 * The TypeError sending a task's callbacks (`links`) or next chain step (node `next`, -1: none) raises,
 * if any (checkApply).
 */
function sendError(
  s: StepBuilder,
  links: readonly number[],
  next: number,
  callArgs: Json[],
): { error: TaskError; skipNext: boolean } | null {
  for (let i = 0; i < links.length; i++) {
    const error = s.checkApply(links[i] as number, callArgs, NO_KWARGS);
    if (error !== null) return { error, skipNext: false };
  }
  if (next < 0) return null;
  const error = s.checkApply(next, callArgs, NO_KWARGS);
  return error === null ? null : { error, skipNext: true };
}

/**
 * Final failure: store FAILURE, errbacks (new style inline, old style dispatched), chain remainder marks.
 * `skipNext`: the next chain step failed to send (a TypeError from Task.typing, verified on Celery 5.2
 * and 5.6 by tests/conformance); Celery had already taken it off the chain, so it stays PENDING.
 */
function fail(s: StepBuilder, msg: TaskMessage, attempt: number, error: TaskError, skipNext = false): void {
  const plan = s.plan;
  s.final(msg, 'FAILURE', undefined, error);
  s.event({ run_id: s.plan.run_id, at: s.now, type: 'task.failed', task_id: msg.task_id, attempt, error });
  s.report(reportsOf(plan, msg));
  const t = planTask(plan, msg);
  if (t === undefined) return;
  callErrbacks(
    s,
    t.errbacks,
    { id: msg.task_id, task: msg.name, args: msg.args, kwargs: msg.kwargs, retries: msg.retries },
    error,
  );
  const next = (plan.nodes[t.node] as PlanNode).next;
  markRemainder(s, skipNext && next !== null ? (plan.nodes[next] as PlanNode).next : next, error);
}

export { barrierInputs, onBarrierReleased, onBarrierReleasedInto } from './barrier';
export {
  attemptOf,
  EXPIRED,
  isExpired,
  onAttemptStarted,
  startedEvent,
  taskRequest,
  timeLimitOutcome,
} from './delivery';
