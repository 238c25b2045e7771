/**
 * Opening and closing the attempts of one tracked Celery task: `task.started` and `task.retried`, dated
 * from what the worker's events and the result records say (lib/celery-protocol/tracker.ts). Pure.
 */
import type { RunPlan } from '../engine/types';
import type { TaskError, UnsequencedRunEvent } from '../protocol/events';
import type { CeleryIdMap } from './ids';
import { recordError, retryCountdownMs } from './records';
import type { Tracked } from './trackedTask';

/** What dating an attempt needs from the tracker: its plan, Celery id translation and run-relative time. */
export interface TrackerClock {
  readonly plan: RunPlan;
  readonly ids: CeleryIdMap;
  /** Run-relative ms (what run events carry) of the epoch ms `ms`. */
  at(ms: number): number;
}

/** Opens `attempt` with its `task.started` at epoch ms `atMs` (on `worker` when known). */
export function startEvent(
  c: TrackerClock,
  tr: Tracked,
  attempt: number,
  atMs: number,
  worker?: string,
): UnsequencedRunEvent {
  tr.started = attempt;
  tr.startedAtMs = atMs;
  if (worker) tr.worker = worker;
  return {
    type: 'task.started',
    run_id: c.plan.run_id,
    at: c.at(atMs),
    task_id: tr.task.id,
    attempt,
    worker: tr.worker ?? 'celery',
  };
}

/** Closes the running attempt with a retry (record or, when it was lost, the worker's event). */
export function retriedEvent(
  c: TrackerClock,
  tr: Tracked,
  atMs: number,
  error: TaskError,
  countdown_ms: number,
): UnsequencedRunEvent[] {
  const out: UnsequencedRunEvent[] = [];
  const attempt = tr.retried + 1;
  if (tr.started < attempt)
    out.push(startEvent(c, tr, attempt, Math.min(receivedAt(tr, attempt) ?? atMs, atMs)));
  atMs = Math.max(atMs, tr.startedAtMs ?? atMs);
  tr.retried = attempt;
  tr.retryEvent = undefined;
  out.push({
    type: 'task.retried',
    run_id: c.plan.run_id,
    at: c.at(atMs),
    task_id: tr.task.id,
    attempt,
    countdown_ms,
    error,
  });
  return out;
}

/** Closes the running attempt with its RETRY record, dated by the worker's events when they came. */
export function resolveRetry(c: TrackerClock, tr: Tracked, nextStartMs?: number): UnsequencedRunEvent[] {
  const pending = tr.pendingRetry;
  if (!pending) return [];
  tr.pendingRetry = undefined;
  const attempt = tr.retried + 1;
  const ev = tr.retryEvent?.attempt === attempt ? tr.retryEvent : undefined;
  const countdown = retryCountdownMs(pending.rec.traceback) ?? ev?.countdown_ms ?? 0;
  // The re-sent message's ETA is the retry moment plus the countdown, to the worker's own clock.
  let at = ev ? (ev.eta !== undefined ? ev.eta - countdown : ev.at) : pending.since;
  // Without that ETA the moment comes from a late stamp (the worker's task-retried under load, or when
  // we saw the record); the next attempt cannot have started before its ETA, so its start bounds it.
  const next = nextStartMs ?? (tr.deferredStart?.attempt === attempt + 1 ? tr.deferredStart.ms : undefined);
  if (ev?.eta === undefined && next !== undefined) at = Math.min(at, next - countdown);
  const out = retriedEvent(
    c,
    tr,
    at,
    recordError(pending.rec, (s) => c.ids.translate(s)),
    countdown,
  );
  return [...out, ...releaseStart(c, tr)];
}

/** The held task-started of the attempt that follows the one just closed. */
function releaseStart(c: TrackerClock, tr: Tracked): UnsequencedRunEvent[] {
  const d = tr.deferredStart;
  if (!d || d.attempt !== tr.retried + 1 || tr.started >= d.attempt) return [];
  tr.deferredStart = undefined;
  return [startEvent(c, tr, d.attempt, d.ms, d.worker)];
}

/** No RETRY record came for a held start: close the previous attempt from the events alone. */
export function closeWithoutRecord(c: TrackerClock, tr: Tracked): UnsequencedRunEvent[] {
  const d = tr.deferredStart;
  if (!d) return [];
  const out: UnsequencedRunEvent[] = [];
  while (tr.retried < d.attempt - 1) {
    const attempt = tr.retried + 1;
    const prev = tr.retryEvent?.attempt === attempt ? tr.retryEvent : undefined;
    const at = prev
      ? prev.eta !== undefined && prev.countdown_ms !== undefined
        ? prev.eta - prev.countdown_ms
        : prev.at
      : d.ms;
    out.push(...retriedEvent(c, tr, at, { type: 'Retry', message: 'retried' }, prev?.countdown_ms ?? 0));
  }
  return [...out, ...releaseStart(c, tr)];
}

/** When this attempt's message was received (or its ETA), if its task-received was seen. */
export function receivedAt(tr: Tracked, attempt: number): number | undefined {
  return tr.received >= attempt ? tr.receivedAt : undefined;
}
