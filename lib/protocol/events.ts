/**
 * The run event schema: what the simulator's trace and a real run's event log are made of.
 * One schema for both, so the same reducer (`lib/protocol/reduceRun.ts`) folds simulated and live runs,
 * and a live trace can be compared with the simulator's prediction event by event.
 *
 * Invariants:
 * - `at` is milliseconds since the run started (virtual time in the simulator, wall clock on workers).
 * - `seq` is assigned by the run's event log (1, 2, 3 … per run, no gaps); the simulator numbers its
 *   trace the same way. Clients resume after a reconnect from the last `seq` they applied.
 * - Attempts are 1-based: the first execution is attempt 1, Celery's `request.retries` is `attempt - 1`.
 * - Events are facts in the past tense; delivery is at-least-once on the cluster, so a reducer must
 *   tolerate a repeated `task.started` for the same attempt (a redelivered task after a worker crash).
 */
import type { Json } from '../canvas/model';

/** An exception as reported: `type` is the Python-style class name, `message` Python's `str(exc)`. */
export interface TaskError {
  type: string;
  message: string;
  args?: Json[];
  /** Multi-line traceback text when the interpreter has one. */
  traceback?: string;
}

/** Where a task comes from: the canvas itself, a callback (`link`), an errback (`link_error`), or added at run time. */
export type TaskOrigin = 'canvas' | 'link' | 'link_error' | 'dynamic';

/** Static description of one task instance of a run (known when the run is planned). */
export interface TaskDescriptor {
  task_id: string;
  name: string;
  origin: TaskOrigin;
  /** Canvas path of the node that produced this task (editor node mapping), e.g. `tasks.1.header.0`. */
  path: string;
}

interface EventBase {
  run_id: string;
  seq: number;
  at: number;
}

export type RunEvent = EventBase &
  (
    | { type: 'run.started'; tasks: TaskDescriptor[]; name?: string }
    | { type: 'task.added'; task: TaskDescriptor }
    | { type: 'task.queued'; task_id: string; name: string; attempt: number; eta_ms?: number; queue?: string }
    | { type: 'task.started'; task_id: string; attempt: number; worker: string; args?: Json[]; kwargs?: Json }
    | { type: 'task.retried'; task_id: string; attempt: number; countdown_ms: number; error: TaskError }
    | {
        type: 'task.succeeded';
        task_id: string;
        attempt: number;
        result: Json;
        /** Celery `ignore_result`: the value travels on (chain, chord) but is not stored or reported. */
        ignored?: true;
      }
    | {
        type: 'task.failed';
        task_id: string;
        attempt: number;
        error: TaskError;
        /** True when the task never ran and was marked FAILURE by Celery's rules (chain remainder, chord body). */
        marked?: boolean;
      }
    | { type: 'task.revoked'; task_id: string; reason?: string; error?: TaskError }
    /** The attempt ended by `Task.replace`: the task id now belongs to a new signature (`name`). */
    | { type: 'task.replaced'; task_id: string; attempt: number; name: string }
    | { type: 'chord.progress'; chord_id: string; done: number; total: number }
    | {
        type: 'errback.called';
        task_id: string;
        errback: string;
        style: 'new' | 'old';
        failed_task_id: string;
      }
    | { type: 'observation'; observation: Json }
    | { type: 'run.finished'; status: RunStatus; result?: Json; error?: TaskError }
  );

export type RunStatus = 'success' | 'failure' | 'canceled';

export type RunEventType = RunEvent['type'];

/** A run event before the event log numbered it. */
export type UnsequencedRunEvent = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'seq'>
    : never
  : never;
