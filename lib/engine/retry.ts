/**
 * Celery's retry decisions (celery-semantics.md 8): `Task.retry`, `autoretry_for`, the exponential
 * backoff with cap and integer full jitter, and MaxRetriesExceededError vs re-raising `exc`.
 */

import { matchesAny } from '../canvas/exceptions';
import type { Json, JsonObject } from '../canvas/model';
import type { TaskError } from '../protocol/events';
import { pyException, pyRepr, pyTupleRepr } from './python';
import type { ResolvedOptions } from './types';

export type RetryDecision = { retry: true; countdown_ms: number } | { retry: false; error: TaskError };

/**
 * Celery `get_exponential_backoff_interval`: `min(maximum, factor * 2**retries)`, then with jitter an
 * integer uniform in `[0, countdown]` (`random.randrange(countdown + 1)`). Seconds.
 */
export function backoffSeconds(
  factor: number,
  retries: number,
  maximum: number,
  fullJitter: boolean,
  random: () => number,
): number {
  let countdown = Math.min(maximum, factor * 2 ** retries);
  if (fullJitter) countdown = Math.floor(random() * (Math.floor(countdown) + 1));
  return Math.max(0, countdown);
}

/** Celery's `int(max(1.0, float(retry_backoff)))`. */
export function backoffFactor(retryBackoff: boolean | number): number {
  return Math.trunc(Math.max(1, Number(retryBackoff)));
}

/** What the task knows about itself when it retries (for MaxRetriesExceededError's text). */
export interface RetryContext {
  name: string;
  id: string;
  args: Json[];
  kwargs: JsonObject;
  /** `request.retries` of the attempt that is retrying. */
  retries: number;
}

/**
 * Celery `Task.retry(exc, countdown, max_retries)`: retries = request.retries + 1; past the limit it
 * re-raises `exc` or raises MaxRetriesExceededError; otherwise RETRY after the countdown.
 */
export function manualRetry(
  options: ResolvedOptions,
  ctx: RetryContext,
  call: { exc?: TaskError; countdown_s?: number; max_retries?: number | null },
): RetryDecision {
  // `max_retries=None` means "use the task's attribute" (which may itself be None = forever).
  const max =
    call.max_retries === undefined || call.max_retries === null ? options.max_retries : call.max_retries;
  if (max !== null && ctx.retries + 1 > max) {
    if (call.exc !== undefined) return { retry: false, error: call.exc };
    return {
      retry: false,
      error: pyException(
        'MaxRetriesExceededError',
        `Can't retry ${ctx.name}[${ctx.id}] args:${pyTupleRepr(ctx.args)} kwargs:${pyRepr(ctx.kwargs)}`,
      ),
    };
  }
  const countdown = call.countdown_s ?? options.countdown ?? options.default_retry_delay;
  return { retry: true, countdown_ms: Math.max(0, Math.round(countdown * 1000)) };
}

/**
 * Celery's autoretry wrapper: an exception matching `autoretry_for` calls `retry(exc=exc, countdown)`
 * with the backoff countdown when `retry_backoff` is set. `null` when the exception is not retried.
 */
export function autoRetry(
  options: ResolvedOptions,
  ctx: RetryContext,
  error: TaskError,
  random: () => number,
): RetryDecision | null {
  if (error.type === 'TimeLimitExceeded') return null; // the hard limit kills the process: never retried
  // A result that cannot be encoded fails where Celery stores it, outside the autoretry wrapper.
  if (error.type === 'EncodeError') return null;
  if (!matchesAny(error.type, options.autoretry_for)) return null;
  const call: { exc: TaskError; countdown_s?: number } = { exc: error };
  if (options.retry_backoff !== false && options.retry_backoff !== 0) {
    call.countdown_s = backoffSeconds(
      backoffFactor(options.retry_backoff),
      ctx.retries,
      options.retry_backoff_max,
      options.retry_jitter,
      random,
    );
  }
  return manualRetry(options, ctx, call);
}
