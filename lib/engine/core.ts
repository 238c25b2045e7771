/**
 * The transitions of the semantic core (events in → commands out): start of a run, start and end of
 * one attempt (retry, success with its continuation, final failure with chain marks and errbacks),
 * and barrier release (chord body or ChordError; run end). Pure: time and randomness come in `env`.
 */
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';
import { exceptionRepr, pyException } from './python';
import { autoRetry, manualRetry, type RetryDecision } from './retry';
import { descriptorOf, StepBuilder } from './step';
import { executeTask } from './tasks';
import type {
  AttemptOutcome,
  BarrierMessage,
  Env,
  FinalLookup,
  PlanBarrier,
  PlanNode,
  PlanTask,
  ResolvedOptions,
  RunPlan,
  Step,
  TaskMessage,
  TaskRequest,
} from './types';
import { flatMembers, nodeValue, valueLeaves } from './values';

/** 1-based attempt number of a delivery of `msg`. */
export function attemptOf(msg: TaskMessage): number {
  return msg.attempt_offset + msg.retries + 1;
}

function planTask(plan: RunPlan, msg: TaskMessage): PlanTask | undefined {
  return msg.task >= 0 ? plan.tasks[msg.task] : undefined;
}

function optionsOf(plan: RunPlan, msg: TaskMessage): ResolvedOptions {
  return msg.dynamic?.options ?? (planTask(plan, msg) as PlanTask).options;
}

/** `run.started` plus the first dispatch: the run root barrier with the top-level canvas under it. */
export function startRun(plan: RunPlan, now = 0): Step {
  const s = new StepBuilder(plan, now);
  const tasks = plan.tasks.filter((t) => t.origin === 'canvas').map(descriptorOf);
  s.event({ ...s.base(), type: 'run.started', tasks });
  const root = plan.barriers[0] as PlanBarrier;
  const children = [] as Step['dispatch'];
  s.apply(plan.top, plan.invoke.args, plan.invoke.kwargs, children);
  s.step.dispatch.push({
    message: { kind: 'barrier', key: root.key, run_id: plan.run_id, barrier: 0, total: 0 },
    parentBarrier: null,
    delay_ms: 0,
    children,
  });
  return s.step;
}

/** The `task.started` event of an attempt. */
export function onAttemptStarted(plan: RunPlan, msg: TaskMessage, env: Pick<Env, 'now' | 'worker'>): Step {
  const s = new StepBuilder(plan, env.now);
  s.event({
    ...s.base(),
    type: 'task.started',
    task_id: msg.task_id,
    attempt: attemptOf(msg),
    worker: env.worker,
    args: msg.args,
    kwargs: msg.kwargs,
  });
  return s.step;
}

/** The request handed to `executeTask` for this delivery. */
export function taskRequest(
  plan: RunPlan,
  msg: TaskMessage,
  extra: { namespace?: string; service_url?: string } = {},
): TaskRequest {
  const request: TaskRequest = {
    id: msg.task_id,
    name: msg.name,
    args: msg.args,
    kwargs: msg.kwargs,
    retries: msg.retries,
    max_retries: optionsOf(plan, msg).max_retries,
    in_chord: msg.barrier !== (plan.barriers[0] as PlanBarrier).key,
  };
  if (extra.namespace !== undefined) request.namespace = extra.namespace;
  if (extra.service_url !== undefined) request.service_url = extra.service_url;
  return request;
}

/** What a time limit raises inside a task: soft → SoftTimeLimitExceeded(), hard → TimeLimitExceeded(s). */
export function timeLimitOutcome(kind: 'soft' | 'hard', seconds: number): AttemptOutcome {
  if (kind === 'soft')
    return {
      kind: 'error',
      error: { type: 'SoftTimeLimitExceeded', message: 'SoftTimeLimitExceeded()', args: [] },
    };
  return {
    kind: 'error',
    error: { type: 'TimeLimitExceeded', message: `TimeLimitExceeded(${seconds},)`, args: [seconds] },
  };
}

/** Decides what follows one finished attempt of `msg` (celery-semantics.md 3, 4, 8, 9). */
export function onAttemptFinished(plan: RunPlan, msg: TaskMessage, outcome: AttemptOutcome, env: Env): Step {
  const s = new StepBuilder(plan, env.now);
  const attempt = attemptOf(msg);
  for (const observation of outcome.observations ?? [])
    s.event({ ...s.base(), type: 'observation', observation });
  const options = optionsOf(plan, msg);
  const ctx = { name: msg.name, id: msg.task_id, args: msg.args, kwargs: msg.kwargs, retries: msg.retries };
  switch (outcome.kind) {
    case 'success':
      succeed(s, msg, attempt, outcome.value, outcome.add_to_chord ?? []);
      break;
    case 'replace':
      replace(s, msg, attempt, outcome.sig);
      break;
    case 'retry': {
      const call: { exc?: TaskError; countdown_s?: number; max_retries?: number | null } = {};
      if (outcome.exc !== undefined) call.exc = outcome.exc;
      if (outcome.countdown_s !== undefined) call.countdown_s = outcome.countdown_s;
      if (outcome.max_retries !== undefined) call.max_retries = outcome.max_retries;
      decide(s, msg, attempt, manualRetry(options, ctx, call), outcome.exc);
      break;
    }
    case 'error': {
      const decision = autoRetry(options, ctx, outcome.error, env.random);
      if (decision === null) fail(s, msg, attempt, outcome.error);
      else decide(s, msg, attempt, decision, outcome.error);
      break;
    }
  }
  return s.step;
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
    ...s.base(),
    type: 'task.retried',
    task_id: msg.task_id,
    attempt,
    countdown_ms: decision.countdown_ms,
    error,
  });
  const next: TaskMessage = { ...msg, retries: msg.retries + 1 };
  s.queued(next, decision.countdown_ms, optionsOf(s.plan, msg).queue);
  s.step.retry = { countdown_ms: decision.countdown_ms, message: next };
}

function barrierIndexOf(plan: RunPlan, key: string): number | undefined {
  const i = plan.barriers.findIndex((b) => b.key === key);
  return i < 0 ? undefined : i;
}

function reportsOf(plan: RunPlan, msg: TaskMessage): number | undefined {
  return msg.task >= 0 ? (plan.tasks[msg.task] as PlanTask).reports : msg.dynamic?.reports;
}

function succeed(
  s: StepBuilder,
  msg: TaskMessage,
  attempt: number,
  value: Json,
  added: TaskOutcomeSigs,
): void {
  const plan = s.plan;
  const t = planTask(plan, msg);
  const addedIds: string[] = [];
  if (added.length > 0) {
    const bi = barrierIndexOf(plan, msg.barrier);
    s.report(bi, added.length);
    added.forEach((sig, i) => {
      const dyn = plan.dynamic[sig.name];
      const id = `${msg.task_id}-added-${i}`;
      addedIds.push(id);
      const path = `${t?.path ?? msg.dynamic?.path ?? ''}.added.${i}`;
      const message: TaskMessage = {
        kind: 'task',
        key: `${msg.key}.a${i}`,
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
        ...s.base(),
        type: 'task.added',
        task: { task_id: id, name: sig.name, origin: 'dynamic', path },
      });
      s.queued(message, 0, message.dynamic?.options.queue);
      s.step.dispatch.push({ message, parentBarrier: msg.barrier, delay_ms: 0 });
    });
  }
  s.step.finals.push({
    task_id: msg.task_id,
    final:
      addedIds.length > 0
        ? { state: 'SUCCESS', result: value, added: addedIds }
        : { state: 'SUCCESS', result: value },
  });
  s.event({ ...s.base(), type: 'task.succeeded', task_id: msg.task_id, attempt, result: value });
  s.report(reportsOf(plan, msg));
  if (t === undefined) return;
  // Callbacks first (Celery sends links before storing the result), then the rest of the chain.
  for (const link of t.links) s.apply(link, [value], {});
  const next = (plan.nodes[t.node] as PlanNode).next;
  if (next !== null) s.apply(next, [value], {});
}

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
    key: `${t?.key ?? msg.key}.r${attempt}`,
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
  s.event({ ...s.base(), type: 'task.replaced', task_id: msg.task_id, attempt, name: sig.name });
  s.queued(message, 0, message.dynamic?.options.queue);
  s.step.dispatch.push({ message, parentBarrier: msg.barrier, delay_ms: 0 });
}

/** Final failure: store FAILURE, errbacks (new style inline, old style dispatched), chain remainder marks. */
function fail(s: StepBuilder, msg: TaskMessage, attempt: number, error: TaskError): void {
  const plan = s.plan;
  s.step.finals.push({ task_id: msg.task_id, final: { state: 'FAILURE', error } });
  s.event({ ...s.base(), type: 'task.failed', task_id: msg.task_id, attempt, error });
  s.report(reportsOf(plan, msg));
  const t = planTask(plan, msg);
  if (t === undefined) return;
  callErrbacks(
    s,
    t.errbacks,
    { id: msg.task_id, task: msg.name, args: msg.args, kwargs: msg.kwargs, retries: msg.retries },
    error,
  );
  markRemainder(s, (plan.nodes[t.node] as PlanNode).next, error);
}

/** Celery marks every remaining chain step FAILURE with the same exception (descending into chords). */
function markRemainder(s: StepBuilder, start: number | null, error: TaskError): void {
  const plan = s.plan;
  let index = start;
  while (index !== null) {
    const node = plan.nodes[index] as PlanNode;
    if (node.kind === 'chain') {
      const first = node.steps[0];
      index = first ?? node.next;
      continue;
    }
    for (const leaf of valueLeaves(plan, index)) s.markFailed(plan.tasks[leaf] as PlanTask, error);
    index = node.next;
  }
}

/**
 * Calls the errbacks of a failure (celery-semantics.md 3): new style in-process with
 * `(request, exc, traceback)` (exceptions swallowed), old style dispatched with the failed id prepended.
 */
function callErrbacks(
  s: StepBuilder,
  errbacks: readonly number[],
  request: { id: string; task: string; args: Json[]; kwargs: Json; retries: number },
  error: TaskError,
): void {
  const plan = s.plan;
  for (const eb of errbacks) {
    const node = plan.nodes[eb] as PlanNode;
    const ebTask = node.kind === 'task' ? (plan.tasks[node.task] as PlanTask) : undefined;
    if (ebTask !== undefined && ebTask.errback_style === 'new') {
      s.event({
        ...s.base(),
        type: 'errback.called',
        task_id: ebTask.id,
        errback: ebTask.name,
        style: 'new',
        failed_task_id: request.id,
      });
      const exc: Json =
        error.args === undefined
          ? { type: error.type, message: error.message }
          : { type: error.type, message: error.message, args: error.args };
      const args = ebTask.immutable ? ebTask.args : [request, exc, null, ...ebTask.args];
      const result = executeTask(undefined, {
        id: ebTask.id,
        name: ebTask.name,
        args,
        kwargs: ebTask.kwargs,
        retries: 0,
        max_retries: ebTask.options.max_retries,
        in_chord: false,
      });
      // Effects and exceptions of an inline errback are not performed/propagated (Celery logs and swallows).
      if (result.kind !== 'effect') {
        for (const observation of result.observations ?? [])
          s.event({ ...s.base(), type: 'observation', observation });
      }
      continue;
    }
    const name = ebTask?.name ?? 'canvas';
    s.event({
      ...s.base(),
      type: 'errback.called',
      task_id: ebTask?.id ?? request.id,
      errback: name,
      style: 'old',
      failed_task_id: request.id,
    });
    s.apply(eb, [request.id], {});
  }
}

/**
 * Task ids whose finals the interpreter must provide when releasing `barrier`. Call again with a lookup
 * of what you fetched: add_to_chord additions are then included; stop when nothing new is returned.
 */
export function barrierInputs(plan: RunPlan, barrier: BarrierMessage, known?: FinalLookup): string[] {
  const b = plan.barriers[barrier.barrier] as PlanBarrier;
  const ids: string[] = [];
  if (barrier.barrier === 0) {
    for (const t of plan.tasks) if (t.origin === 'canvas') ids.push(t.id);
  } else {
    const chord = plan.nodes[b.node] as Extract<PlanNode, { kind: 'chord' }>;
    for (const h of chord.header)
      for (const leaf of valueLeaves(plan, h)) ids.push((plan.tasks[leaf] as PlanTask).id);
  }
  for (const ti of adders(plan, barrier.barrier)) {
    const id = (plan.tasks[ti] as PlanTask).id;
    ids.push(id);
    const added = known?.(id)?.added;
    if (added) ids.push(...added);
  }
  return ids;
}

function adders(plan: RunPlan, barrierIndex: number): number[] {
  if (barrierIndex !== 0) return (plan.barriers[barrierIndex] as PlanBarrier).adders;
  const all: number[] = [];
  for (const b of plan.barriers) all.push(...b.adders);
  return all;
}

function addedIds(plan: RunPlan, barrierIndex: number, finals: FinalLookup): string[] {
  const out: string[] = [];
  for (const ti of adders(plan, barrierIndex)) {
    const added = finals((plan.tasks[ti] as PlanTask).id)?.added;
    if (added) out.push(...added);
  }
  return out;
}

function failed(state: string | undefined): boolean {
  return state === 'FAILURE' || state === 'REVOKED';
}

/**
 * Releases a barrier whose children all finished: a chord applies its body with the header results in
 * header order, or (a member failed) marks the body with Celery's ChordError; the run root ends the run.
 */
export function onBarrierReleased(
  plan: RunPlan,
  barrier: BarrierMessage,
  finals: FinalLookup,
  env: Pick<Env, 'now'>,
): Step {
  const s = new StepBuilder(plan, env.now);
  if (barrier.barrier === 0) {
    finishRun(s, finals);
    return s.step;
  }
  const b = plan.barriers[barrier.barrier] as PlanBarrier;
  const chord = plan.nodes[b.node] as Extract<PlanNode, { kind: 'chord' }>;
  const header = flatMembers(plan, chord.header);
  // Culprit = first failed report in header order (Redis backend), then add_to_chord additions.
  const order: string[] = [];
  for (const h of header)
    for (const leaf of valueLeaves(plan, h)) order.push((plan.tasks[leaf] as PlanTask).id);
  const extra = addedIds(plan, barrier.barrier, finals);
  order.push(...extra);
  const culprit = order.find((id) => failed(finals(id)?.state));
  if (culprit !== undefined) {
    const cause = finals(culprit)?.error ?? pyException('Exception', 'unknown');
    const error = pyException('ChordError', `Dependency ${culprit} raised ${exceptionRepr(cause)}`);
    chordFailed(s, chord, error);
    return s.step;
  }
  const values: Json[] = header.map((h) => nodeValue(plan, h, finals));
  for (const id of extra) values.push(finals(id)?.result ?? null);
  s.apply(chord.body, [values], {});
  return s.step;
}

/** Header failure (celery-semantics.md 6.2): the body never runs; its value leaves are marked. */
function chordFailed(s: StepBuilder, chord: Extract<PlanNode, { kind: 'chord' }>, error: TaskError): void {
  const plan = s.plan;
  const body = plan.nodes[chord.body] as PlanNode;
  if (body.kind === 'group') {
    // Celery revokes a group body (issue #8786 handling); its members end REVOKED, no errbacks.
    for (const leaf of valueLeaves(plan, chord.body))
      s.markRevoked(plan.tasks[leaf] as PlanTask, 'chord header failed');
  } else {
    for (const leaf of valueLeaves(plan, chord.body)) {
      const t = plan.tasks[leaf] as PlanTask;
      s.markFailed(t, error);
      // Errbacks of the body are called through a fake request whose id is the body's id.
      callErrbacks(
        s,
        t.errbacks,
        { id: t.id, task: t.name, args: t.args, kwargs: t.kwargs, retries: 0 },
        error,
      );
    }
  }
  // Sane extension: the rest of an enclosing chain (a chain of chords) is marked like a chain failure.
  markRemainder(s, chord.next, error);
}

/** Run root released: status, top-level value (chain → last, group → list, chord → body), error. */
function finishRun(s: StepBuilder, finals: FinalLookup): void {
  const plan = s.plan;
  let firstFailed: TaskError | undefined;
  const check = (id: string): void => {
    const f = finals(id);
    if (firstFailed === undefined && f !== undefined && failed(f.state)) {
      firstFailed = f.error ?? pyException('Exception', f.state);
    }
  };
  for (const t of plan.tasks) if (t.origin === 'canvas') check(t.id);
  for (const id of addedIds(plan, 0, finals)) check(id);
  if (firstFailed === undefined) {
    const result = nodeValue(plan, plan.top, finals);
    s.event({ ...s.base(), type: 'run.finished', status: 'success', result });
    s.step.finish = { status: 'success', result };
    return;
  }
  // The error reported is the top-level value's (what awaiting the canvas id reads), else the first failure.
  let error = firstFailed;
  for (const leaf of valueLeaves(plan, plan.top)) {
    const f = finals((plan.tasks[leaf] as PlanTask).id);
    if (f !== undefined && failed(f.state) && f.error !== undefined) {
      error = f.error;
      break;
    }
  }
  s.event({ ...s.base(), type: 'run.finished', status: 'failure', error });
  s.step.finish = { status: 'failure', error };
}
