/**
 * `reduceRun`: folds run events (simulated or live, same schema) into a run view — per-task Celery
 * state, attempts and their history, countdowns, chord progress, observations, run status. Pure and
 * immutable (the editor keeps views in a store); `reduceRunAll` folds a batch with one copy.
 *
 * Tolerances (delivery is at-least-once): a repeated `task.started` for the same attempt is ignored, a
 * stored SUCCESS is never overwritten (Celery's rule), and a late RETRY never overwrites a final state.
 */
import type { Json } from '../canvas/model';
import type { RunEvent, RunStatus, TaskError, TaskOrigin } from './events';
import type { AttemptRecord, CeleryState } from './report';

export interface TaskView {
  id: string;
  name: string;
  origin: TaskOrigin;
  path: string;
  state: CeleryState;
  /** Attempts started so far. */
  attempts: number;
  /** Closed attempts, in order. */
  history: AttemptRecord[];
  /** The attempt running now (or last started). */
  running?: { attempt: number; started_at: number; worker: string } | undefined;
  /** Waiting in the broker (queued and not started yet). */
  queued: boolean;
  /** When a retry countdown ends (ms from run start). */
  eta_ms?: number | undefined;
  countdown_ms?: number | undefined;
  result?: Json | undefined;
  error?: TaskError | undefined;
  started_at?: number | undefined;
  finished_at?: number | undefined;
  worker?: string | undefined;
  /** Marked FAILURE by Celery's rules without running. */
  marked?: boolean | undefined;
  args?: Json[] | undefined;
  kwargs?: Json | undefined;
}

export interface RunView {
  run_id: string;
  status: 'running' | RunStatus;
  /** Task ids in report order (run.started, then task.added). */
  order: string[];
  /** By task id (a Map: live runs of 100k tasks fold fast). */
  tasks: Map<string, TaskView>;
  /** Chord progress by chord id (a Map: chord ids are user labels, `__proto__` included). */
  chords: Map<string, { done: number; total: number }>;
  observations: Json[];
  result?: Json;
  error?: TaskError;
  /** Last applied event `seq` (resume point). */
  seq: number;
  /** Time of the last event. */
  at: number;
  finished_at?: number;
}

function emptyView(runId: string): RunView {
  return {
    run_id: runId,
    status: 'running',
    order: [],
    tasks: new Map(),
    chords: new Map(),
    observations: [],
    seq: 0,
    at: 0,
  };
}

const FINAL: ReadonlySet<CeleryState> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

function addTask(
  view: RunView,
  d: { task_id: string; name: string; origin: TaskOrigin; path: string },
): void {
  if (view.tasks.has(d.task_id)) return;
  view.order.push(d.task_id);
  // Every field from the start, in one order: 100k views share one hidden class instead of a chain
  // of shape transitions (and dictionary-mode objects) as optional fields arrive.
  view.tasks.set(d.task_id, {
    id: d.task_id,
    name: d.name,
    origin: d.origin,
    path: d.path,
    state: 'PENDING',
    attempts: 0,
    history: [],
    running: undefined,
    queued: false,
    eta_ms: undefined,
    countdown_ms: undefined,
    result: undefined,
    error: undefined,
    started_at: undefined,
    finished_at: undefined,
    worker: undefined,
    marked: undefined,
    args: undefined,
    kwargs: undefined,
  });
}

/** Applies one event to a view that this call owns (mutates `view` and returns it). */
function applyInPlace(
  view: RunView,
  e: RunEvent,
  /** The task to change: owned by the view being built (copied first when it is shared). */
  task: (id: string) => TaskView | undefined,
  batch: boolean,
): RunView {
  view.seq = Math.max(view.seq, e.seq);
  view.at = Math.max(view.at, e.at);
  switch (e.type) {
    case 'run.started':
      for (const d of e.tasks) addTask(view, d);
      break;
    case 'task.added':
      addTask(view, e.task);
      break;
    case 'task.queued': {
      const t = task(e.task_id);
      if (t === undefined || FINAL.has(t.state)) break;
      t.queued = true;
      if (t.name !== e.name) t.name = e.name;
      if (e.eta_ms !== undefined) t.eta_ms = e.eta_ms;
      break;
    }
    case 'task.started': {
      const t = task(e.task_id);
      if (t === undefined || FINAL.has(t.state)) break;
      // A redelivered message re-announces the same attempt: keep the first.
      if (t.running?.attempt === e.attempt || hasAttempt(t.history, e.attempt)) break;
      t.state = 'STARTED';
      t.queued = false;
      t.attempts += 1;
      t.running = { attempt: e.attempt, started_at: e.at, worker: e.worker };
      t.worker = e.worker;
      if (t.started_at === undefined) t.started_at = e.at;
      if (e.args !== undefined) t.args = e.args;
      if (e.kwargs !== undefined) t.kwargs = e.kwargs;
      t.eta_ms = undefined;
      t.countdown_ms = undefined;
      break;
    }
    case 'task.retried': {
      const t = task(e.task_id);
      if (t === undefined || FINAL.has(t.state)) break;
      closeAttempt(
        t,
        e.attempt,
        e.at,
        { outcome: 'retry', countdown_ms: e.countdown_ms, error: e.error },
        batch,
      );
      t.state = 'RETRY';
      t.error = e.error;
      t.countdown_ms = e.countdown_ms;
      t.eta_ms = e.at + e.countdown_ms;
      break;
    }
    case 'task.replaced': {
      const t = task(e.task_id);
      if (t === undefined || FINAL.has(t.state)) break;
      closeAttempt(t, e.attempt, e.at, { outcome: 'success' }, batch);
      t.name = e.name;
      break;
    }
    case 'task.succeeded': {
      const t = task(e.task_id);
      if (t === undefined || t.state === 'SUCCESS') break;
      closeAttempt(t, e.attempt, e.at, { outcome: 'success' }, batch);
      t.state = 'SUCCESS';
      if (e.ignored !== true) t.result = e.result;
      t.error = undefined;
      t.finished_at = e.at;
      t.queued = false;
      break;
    }
    case 'task.failed': {
      const t = task(e.task_id);
      if (t === undefined || t.state === 'SUCCESS') break;
      if (e.marked) t.marked = true;
      else closeAttempt(t, e.attempt, e.at, { outcome: 'failure', error: e.error }, batch);
      t.state = 'FAILURE';
      t.error = e.error;
      t.finished_at = e.at;
      t.queued = false;
      t.eta_ms = undefined;
      break;
    }
    case 'task.revoked': {
      const t = task(e.task_id);
      if (t === undefined || t.state === 'SUCCESS') break;
      t.state = 'REVOKED';
      if (e.error !== undefined) t.error = e.error;
      t.finished_at = e.at;
      t.queued = false;
      if (t.running !== undefined) closeAttempt(t, t.running.attempt, e.at, { outcome: 'failure' }, batch);
      break;
    }
    case 'chord.progress':
      // A batch owns its (copied) chords and observations; a single event copies what it touches.
      if (!batch) view.chords = new Map(view.chords);
      view.chords.set(e.chord_id, { done: e.done, total: e.total });
      break;
    case 'observation':
      if (batch) view.observations.push(e.observation);
      else view.observations = [...view.observations, e.observation];
      break;
    case 'errback.called':
      break;
    case 'run.finished':
      view.status = e.status;
      view.finished_at = e.at;
      if (e.result !== undefined) view.result = e.result;
      if (e.error !== undefined) view.error = e.error;
      break;
  }
  return view;
}

/** True when `history` has a record of `attempt` (a loop: this runs for every event of big traces). */
function hasAttempt(history: readonly AttemptRecord[], attempt: number): boolean {
  for (const h of history) if (h.attempt === attempt) return true;
  return false;
}

function closeAttempt(
  t: TaskView,
  attempt: number,
  at: number,
  rest: Pick<AttemptRecord, 'outcome'> & Partial<Pick<AttemptRecord, 'countdown_ms' | 'error'>>,
  /** The history array is owned by the batch being folded (appended in place, not copied). */
  owned: boolean,
): void {
  if (hasAttempt(t.history, attempt)) return;
  const started = t.running?.attempt === attempt ? t.running.started_at : at;
  const record: AttemptRecord = { attempt, started_at: started, finished_at: at, outcome: rest.outcome };
  if (rest.countdown_ms !== undefined) record.countdown_ms = rest.countdown_ms;
  if (rest.error !== undefined) record.error = rest.error;
  // A first record gets an exact-size list (a push would reserve room for 16 more on 100k tasks).
  if (t.history.length === 0) t.history = [record];
  else if (owned) t.history.push(record);
  else t.history = [...t.history, record];
  if (t.running?.attempt === attempt) t.running = undefined;
}

function shallowCopy(view: RunView): RunView {
  return { ...view, order: [...view.order], tasks: new Map(view.tasks) };
}

/** Folds one event into a new view (the input view is not modified). */
export function reduceRun(view: RunView | undefined, event: RunEvent): RunView {
  const next = shallowCopy(view ?? emptyView(event.run_id));
  const copyOnWrite = (id: string): TaskView | undefined => {
    const t = next.tasks.get(id);
    if (t === undefined) return undefined;
    const c = { ...t };
    next.tasks.set(id, c);
    return c;
  };
  return applyInPlace(next, event, copyOnWrite, false);
}

/** Folds many events with a single copy of `view` (fast path for whole traces). */
export function reduceRunAll(events: readonly RunEvent[], view?: RunView): RunView {
  const first = events[0];
  if (first === undefined) return view ?? emptyView('');
  const next = shallowCopy(view ?? emptyView(first.run_id));
  next.chords = new Map(next.chords);
  next.observations = [...next.observations];
  // Tasks of the input view are copied once; tasks created by this batch are owned already.
  for (const id of next.order) {
    const t = next.tasks.get(id);
    if (t !== undefined) next.tasks.set(id, { ...t, history: [...t.history] });
  }
  const owned = (id: string): TaskView | undefined => next.tasks.get(id);
  for (const e of events) applyInPlace(next, e, owned, true);
  return next;
}
export { toReport } from './toReport';
