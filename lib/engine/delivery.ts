/**
 * One delivery of a task message, as the transitions and both interpreters see it: its attempt number,
 * plan task and options, its `task.started` event, the request handed to `executeTask`, and the outcomes
 * an interpreter passes instead of running it (time limit, expiry). Pure.
 */
import type { UnsequencedRunEvent } from '../protocol/events';
import type {
  AttemptOutcome,
  Env,
  PlanBarrier,
  PlanTask,
  ResolvedOptions,
  RunPlan,
  Step,
  TaskMessage,
  TaskRequest,
} from './types';

/** 1-based attempt number of a delivery of `msg`. */
export function attemptOf(msg: TaskMessage): number {
  return msg.attempt_offset + msg.retries + 1;
}

/** The plan task `msg` delivers (undefined for a dynamic task: added to a chord or a replacement). */
export function planTask(plan: RunPlan, msg: TaskMessage): PlanTask | undefined {
  return msg.task >= 0 ? plan.tasks[msg.task] : undefined;
}

/** The resolved options of `msg`: its own when dynamic, else its plan task's. */
export function optionsOf(plan: RunPlan, msg: TaskMessage): ResolvedOptions {
  return msg.dynamic?.options ?? (planTask(plan, msg) as PlanTask).options;
}

/** The `task.started` event of an attempt. */
export function onAttemptStarted(plan: RunPlan, msg: TaskMessage, env: Pick<Env, 'now' | 'worker'>): Step {
  return { events: [startedEvent(plan, msg, env)], dispatch: [], finals: [], reports: [] };
}

/** The `task.started` event alone (what `onAttemptStarted` returns, without a Step around it). */
export function startedEvent(
  plan: RunPlan,
  msg: TaskMessage,
  env: Pick<Env, 'now' | 'worker'>,
): Extract<UnsequencedRunEvent, { type: 'task.started' }> {
  return {
    run_id: plan.run_id,
    at: env.now,
    type: 'task.started',
    task_id: msg.task_id,
    attempt: attemptOf(msg),
    worker: env.worker,
    args: msg.args,
    kwargs: msg.kwargs,
  };
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

/** True when `msg` may no longer start at run time `now` (Celery `expires`: the worker revokes it). */
export function isExpired(msg: TaskMessage, now: number): boolean {
  return msg.expires_at !== undefined && now > msg.expires_at;
}

/** The outcome an interpreter passes to `onAttemptFinished` instead of running an expired message. */
export const EXPIRED: AttemptOutcome = Object.freeze({
  kind: 'revoked',
  reason: 'expired',
}) as AttemptOutcome;
