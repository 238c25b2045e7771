/**
 * What each task of a run looks like at one instant: the fold of the run's events up to time `t`.
 * Views (canvas overlay, drawer, event log) read this; it takes events only, so simulated and live runs
 * (same `RunEvent` schema) are drawn by the same code. Time travel = `runStateAt(events, t)`.
 */
import type { Json } from '../../../lib/canvas/model';
import type { RunEvent, RunStatus, TaskError, TaskOrigin } from '../../../lib/protocol/events';
import type { CeleryState } from '../../../lib/protocol/report';

/** The states a person sees on a node (Airflow's vocabulary where Celery has none). */
export type NodeRunStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'retry_wait'
  | 'success'
  | 'failure'
  | 'upstream_failed'
  | 'not_run'
  | 'revoked';

export interface TaskRunState {
  task_id: string;
  name: string;
  path: string;
  origin: TaskOrigin;
  status: NodeRunStatus;
  /** The Celery state the run report would give this task at this instant. */
  celery: CeleryState;
  /** Current or last attempt number (0 = never started). */
  attempt: number;
  /** When the task entered `status` (ms from the run start). */
  since: number;
  /** While `retry_wait`: when the next attempt becomes due. */
  retryAt?: number;
  worker?: string;
  result?: Json;
  error?: TaskError;
}

export interface ChordProgress {
  chord_id: string;
  done: number;
  total: number;
}

export interface RunStateAt {
  t: number;
  tasks: Map<string, TaskRunState>;
  /** Task ids by canvas path (several tasks can share a path: callbacks, dynamic tasks). */
  byPath: Map<string, string[]>;
  chords: Map<string, ChordProgress>;
  finished?: { status: RunStatus; at: number; error?: TaskError };
  /** Number of events applied (the last applied index + 1). */
  applied: number;
}

function ensureTask(
  state: RunStateAt,
  task_id: string,
  name = task_id,
  path = '',
  origin: TaskOrigin = 'dynamic',
) {
  let task = state.tasks.get(task_id);
  if (!task) {
    task = { task_id, name, path, origin, status: 'pending', celery: 'PENDING', attempt: 0, since: 0 };
    state.tasks.set(task_id, task);
    const list = state.byPath.get(path);
    if (list) list.push(task_id);
    else state.byPath.set(path, [task_id]);
  }
  return task;
}

/**
 * Applies one event to a mutable state (the single place the event → node-state rules live).
 * With `fresh`, a task is copied before its first change (ids in `fresh` are already copies), so
 * objects handed out earlier never change (React reads them by identity).
 */
export function applyRunEvent(state: RunStateAt, event: RunEvent, fresh?: Set<string>): void {
  if (fresh) {
    const id =
      'task_id' in event ? event.task_id : event.type === 'task.added' ? event.task.task_id : undefined;
    if (id !== undefined) copyOnWrite(state, id, fresh);
    if (event.type === 'run.finished') for (const id of state.tasks.keys()) copyOnWrite(state, id, fresh);
  }
  // Once a run was canceled, a late report from a worker that had not seen the cancel yet changes
  // nothing: its tasks stay revoked, none is drawn running again.
  if (state.finished?.status === 'canceled' && event.type !== 'run.finished') return;
  switch (event.type) {
    case 'run.started':
      for (const d of event.tasks) ensureTask(state, d.task_id, d.name, d.path, d.origin);
      break;
    case 'task.added':
      ensureTask(state, event.task.task_id, event.task.name, event.task.path, event.task.origin);
      break;
    case 'task.queued': {
      const task = ensureTask(state, event.task_id, event.name);
      // A retry's re-queue keeps the retry countdown visible until it is due.
      if (task.status === 'retry_wait' && task.retryAt !== undefined && task.retryAt > event.at) break;
      task.status = 'queued';
      task.since = event.at;
      delete task.retryAt;
      break;
    }
    case 'task.started': {
      const task = ensureTask(state, event.task_id);
      task.status = 'running';
      task.celery = 'STARTED';
      task.attempt = event.attempt;
      task.since = event.at;
      task.worker = event.worker;
      delete task.retryAt;
      break;
    }
    case 'task.retried': {
      const task = ensureTask(state, event.task_id);
      task.status = 'retry_wait';
      task.celery = 'RETRY';
      task.attempt = event.attempt;
      task.since = event.at;
      task.retryAt = event.at + event.countdown_ms;
      task.error = event.error;
      break;
    }
    case 'task.succeeded': {
      const task = ensureTask(state, event.task_id);
      task.status = 'success';
      task.celery = 'SUCCESS';
      task.attempt = event.attempt;
      task.since = event.at;
      task.result = event.result;
      delete task.error;
      delete task.retryAt;
      break;
    }
    case 'task.failed': {
      const task = ensureTask(state, event.task_id);
      task.status = event.marked ? 'upstream_failed' : 'failure';
      task.celery = 'FAILURE';
      if (!event.marked) task.attempt = event.attempt;
      task.since = event.at;
      task.error = event.error;
      delete task.retryAt;
      break;
    }
    case 'task.revoked': {
      const task = ensureTask(state, event.task_id);
      task.status = 'revoked';
      task.celery = 'REVOKED';
      task.since = event.at;
      break;
    }
    case 'task.replaced': {
      // Task.replace: the id lives on as a new signature, dispatched next.
      const task = ensureTask(state, event.task_id);
      task.name = event.name;
      task.status = 'queued';
      task.since = event.at;
      break;
    }
    case 'chord.progress':
      state.chords.set(event.chord_id, { chord_id: event.chord_id, done: event.done, total: event.total });
      break;
    case 'run.finished': {
      state.finished = { status: event.status, at: event.at, ...(event.error ? { error: event.error } : {}) };
      // Tasks that never ran once the run is over: upstream failed (or the run was canceled).
      for (const task of state.tasks.values()) {
        if (task.status === 'pending' || task.status === 'queued') {
          task.status = 'not_run';
          task.since = event.at;
        } else if (
          event.status === 'canceled' &&
          (task.status === 'running' || task.status === 'retry_wait')
        ) {
          // Canceled mid-attempt (its `task.revoked` may not be in this trace): no longer running.
          task.status = 'revoked';
          task.celery = 'REVOKED';
          task.since = event.at;
          delete task.retryAt;
        }
      }
      break;
    }
    case 'errback.called':
    case 'observation':
      break;
  }
}

function copyOnWrite(state: RunStateAt, id: string, fresh: Set<string>): void {
  if (fresh.has(id)) return;
  const task = state.tasks.get(id);
  if (task) state.tasks.set(id, { ...task });
  fresh.add(id);
}

/** An empty state, before any event. */
export function emptyRunState(): RunStateAt {
  return { t: 0, tasks: new Map(), byPath: new Map(), chords: new Map(), applied: 0 };
}

/**
 * The run as it was at time `t` (every event with `at <= t`, in `seq` order).
 * `t = Infinity` gives the final state.
 */
export function runStateAt(events: readonly RunEvent[], t: number): RunStateAt {
  const state = emptyRunState();
  state.t = t;
  for (const event of events) {
    if (event.at > t) continue;
    applyRunEvent(state, event);
    state.applied += 1;
  }
  withDueRetries(state, t);
  return state;
}

/** A countdown that elapsed before `t` but whose re-queue event is not applied yet: the task is due. */
function withDueRetries(state: RunStateAt, t: number): void {
  if (state.finished) return;
  for (const [id, task] of state.tasks) {
    if (task.status === 'retry_wait' && task.retryAt !== undefined && task.retryAt <= t) {
      const { retryAt, ...rest } = task;
      state.tasks.set(id, { ...rest, status: 'queued', since: retryAt });
    }
  }
}

/**
 * Time travel over one event list, fast when moving forward (playback, dragging right): it applies only
 * the events since the last instant and copies only the tasks they touch. Moving back refolds from the
 * start. Falls back to a full fold per call when event times are not in order.
 */
export interface RunCursor {
  at(t: number): RunStateAt;
}

/**
 * The cursor's own fold of the leading events with `at <= t` (no due-retry adjustment), for
 * `createRunCursor(events, seed)`. The simulation worker builds it so the page does not fold 40,000
 * events on its main thread.
 */
export function foldEvents(events: readonly RunEvent[], t: number): RunStateAt {
  const state = emptyRunState();
  let index = 0;
  for (; index < events.length; index += 1) {
    const event = events[index] as RunEvent;
    if (event.at > t) break;
    applyRunEvent(state, event);
  }
  state.t = t;
  state.applied = index;
  return state;
}

/**
 * Creates the cursor. `seed` (from `foldEvents` over the same events) starts it at `seed.t` without
 * refolding; the cursor then owns it.
 */
export function createRunCursor(events: readonly RunEvent[], seed?: RunStateAt): RunCursor {
  let ordered = true;
  for (let i = 1; i < events.length; i += 1)
    if ((events[i]?.at ?? 0) < (events[i - 1]?.at ?? 0)) ordered = false;
  let fold = seed && ordered ? seed : emptyRunState();
  let index = seed && ordered ? seed.applied : 0;
  return {
    at(t) {
      if (!ordered) return runStateAt(events, t);
      if (t < fold.t) {
        fold = emptyRunState();
        index = 0;
      }
      const fresh = new Set<string>();
      for (; index < events.length; index += 1) {
        const event = events[index] as RunEvent;
        if (event.at > t) break;
        applyRunEvent(fold, event, fresh);
      }
      fold.t = t;
      fold.applied = index;
      const snapshot: RunStateAt = { ...fold, tasks: new Map(fold.tasks), chords: new Map(fold.chords) };
      withDueRetries(snapshot, t);
      return snapshot;
    },
  };
}

/** Human words for a status (node badges, drawer, legend). */
export function describeStatus(task: TaskRunState, t: number): string {
  switch (task.status) {
    case 'pending':
      return 'waiting';
    case 'queued':
      return task.attempt > 0 ? `queued for attempt ${task.attempt + 1}` : 'queued';
    case 'running':
      return `running, attempt ${task.attempt}`;
    case 'retry_wait': {
      const left = Math.max(0, (task.retryAt ?? t) - t);
      return `retry ${task.attempt + 1} in ${formatMs(left)}`;
    }
    case 'success':
      return task.attempt > 1 ? `succeeded on attempt ${task.attempt}` : 'succeeded';
    case 'failure':
      return `failed after ${task.attempt} attempt${task.attempt === 1 ? '' : 's'}`;
    case 'upstream_failed':
      return 'never ran: upstream failed';
    case 'not_run':
      return 'never ran';
    case 'revoked':
      return 'revoked';
  }
}

/** `1.25 s`, `340 ms`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms - min * 60_000) / 1000)} s`;
}

/**
 * Failed header members per chord path (`tasks.1` → 1), so a barrier badge can say "2 of 2 · 1 failed"
 * instead of looking complete. A task counts for every chord whose header it sits in (nested chords).
 * Only failed tasks are visited, so this stays cheap on very large runs.
 */
export function headerFailures(state: RunStateAt): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of state.tasks.values()) {
    if (task.status !== 'failure') continue;
    const parts = task.path.split('.');
    for (let i = 0; i < parts.length; i += 1) {
      if (parts[i] !== 'header') continue;
      const chord = parts.slice(0, i).join('.');
      out.set(chord, (out.get(chord) ?? 0) + 1);
    }
  }
  return out;
}
