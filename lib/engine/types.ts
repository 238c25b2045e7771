/**
 * Types of the semantic core: the frozen run plan, the messages the interpreters move around, what one
 * attempt of a task produced, and the `Step` (commands) the core answers with. All plain JSON except
 * `TaskResult` effects (closures performed immediately by the interpreter, never stored).
 *
 * See `lib/engine/CONTEXT.md` for how an interpreter (simulator, BullMQ workers) drives these.
 */
import type { TaskParam } from '../canvas/catalogue';
import type { DurationModel, InvokeArgs, Json, JsonObject, SimModel } from '../canvas/model';
import type { RunStatus, TaskError, TaskOrigin, UnsequencedRunEvent } from '../protocol/events';

/** Task options with Celery's defaults filled in (celery-semantics.md 8.4). Times in seconds. */
export interface ResolvedOptions {
  /** `null` = retry forever. */
  max_retries: number | null;
  countdown?: number;
  default_retry_delay: number;
  autoretry_for: string[];
  retry_backoff: boolean | number;
  retry_backoff_max: number;
  retry_jitter: boolean;
  soft_time_limit?: number;
  time_limit?: number;
  queue?: string;
  /** Celery's sending options (`SendOptions` in lib/canvas/model.ts), as given. */
  apply_countdown?: number;
  eta?: string;
  expires?: number | string;
  priority?: number;
  routing_key?: string;
  ignore_result?: boolean;
  shadow?: string;
}

/** One task instance of a run (canvas task, callback or errback), frozen at plan time. */
export interface PlanTask {
  /** Celery task id: the node's `id` label verbatim, else derived from its path (never from the run id). */
  id: string;
  /** Message key (BullMQ job id on the cluster): `<run>.t.<escaped id>`; no `:`, never all digits. */
  key: string;
  name: string;
  /** Canvas path of the node, e.g. `tasks.1.header.0`, `tasks.0.link_error.0` ('' for a root task). */
  path: string;
  origin: TaskOrigin;
  args: Json[];
  kwargs: JsonObject;
  immutable: boolean;
  options: ResolvedOptions;
  /** How this task behaves when used as an errback (catalogue). */
  errback_style: 'new' | 'old';
  /** Simulation model from the node (ignored by real runs). */
  sim?: SimModel;
  /** Catalogue default duration (simulator only). */
  duration_ms?: DurationModel;
  /** Index in `RunPlan.nodes` of this task's own node. */
  node: number;
  /** Key of the barrier every message of this task is dispatched under. */
  barrier: string;
  /** Nodes applied with the result on success (Celery `link`), dispatched under the run root. */
  links: number[];
  /** Nodes applied on final failure (Celery `link_error`). */
  errbacks: number[];
  /** Index in `RunPlan.barriers` of the chord this task reports to (it is a header value leaf). */
  reports?: number;
}

export type PlanNode =
  | { kind: 'task'; task: number; next: number | null }
  | { kind: 'chain'; steps: number[]; next: number | null }
  | { kind: 'group'; members: number[]; next: number | null }
  | { kind: 'chord'; header: number[]; body: number; barrier: number; next: number | null };

/** A chord's header join (or, at index 0, the run root). */
export interface PlanBarrier {
  /** `<run>.root` or `<run>.c.<escaped chord path>`. */
  key: string;
  /** The chord's canvas path (`chord.progress` `chord_id`); `''` for the root. */
  path: string;
  /** Chord node (or, for the root, the top node). */
  node: number;
  /** Barrier this one is dispatched under (`null` for the root). */
  parent: string | null;
  /** Header reports expected (Celery's chord size, before add_to_chord). */
  total: number;
  /** Tasks under this header that may call add_to_chord (their finals list what they added). */
  adders: number[];
}

/** The frozen run: JSON, stored once per run. */
export interface RunPlan {
  version: 1;
  run_id: string;
  /** The top-level canvas node. */
  top: number;
  invoke: InvokeArgs;
  tasks: PlanTask[];
  nodes: PlanNode[];
  /** Index 0 is the run root. */
  barriers: PlanBarrier[];
  /** Options of tasks built-ins may create at run time (Task.replace, add_to_chord), by name. */
  dynamic: Record<string, { options: ResolvedOptions; errback_style: 'new' | 'old' }>;
  /**
   * Parameters of the built-in tasks the plan uses, by name: Celery checks a signature's arguments when
   * it is applied (`Task.typing`, lib/engine/typing.ts). Tasks without an entry are not checked.
   */
  signatures?: Record<string, TaskParam[]>;
  /** Epoch ms of the run's start: places absolute `eta`/`expires` on the run's clock (injected). */
  epoch_ms?: number;
  /**
   * Names the plan uses whose code is not the engine's (user modules, a module overriding a built-in,
   * tasks of an external Celery app): the simulator models them instead of running a built-in.
   */
  external?: string[];
}

/** A task signature created at run time (Task.replace, add_to_chord). */
export interface DynamicSig {
  name: string;
  args: Json[];
  kwargs: JsonObject;
}

/** One attempt-able task instance on the broker. Retries reuse the message with `retries + 1`. */
export interface TaskMessage {
  kind: 'task';
  key: string;
  run_id: string;
  task_id: string;
  name: string;
  args: Json[];
  kwargs: JsonObject;
  /** Celery `request.retries`: retries already done (0 on the first attempt). */
  retries: number;
  /** Index of the plan task whose options/continuation apply; -1 for a task added by add_to_chord. */
  task: number;
  /** Barrier key this message is dispatched under. */
  barrier: string;
  /** Attempts made under this task id before this message (a replacement continues the numbering). */
  attempt_offset: number;
  /** Run ms after which this message is expired (Celery `expires`): a delivery later is REVOKED unrun. */
  expires_at?: number;
  /** Message priority (Celery `priority`, lower first): BullMQ priority `p + 1` on the cluster. */
  priority?: number;
  /** For run-time tasks (replace / add_to_chord): their own options and provenance. */
  dynamic?: {
    options: ResolvedOptions;
    origin: TaskOrigin;
    path: string;
    errback_style: 'new' | 'old';
    /** Barrier index this added task reports to (add_to_chord). */
    reports?: number;
  };
}

/** A barrier job: released when everything dispatched under it has finished. */
export interface BarrierMessage {
  kind: 'barrier';
  key: string;
  run_id: string;
  /** Index in `RunPlan.barriers` (0 = run root). */
  barrier: number;
  /** Header reports expected (chord.progress total, before add_to_chord growth). */
  total: number;
}

export type Message = TaskMessage | BarrierMessage;

/** "Put this message on the broker under `parentBarrier`, after `delay_ms`." */
export interface Dispatch {
  message: Message;
  parentBarrier: string | null;
  delay_ms: number;
  /** A barrier's initial children (dispatch them atomically with the barrier). */
  children?: Dispatch[];
}

/** What the interpreter stores per task id when a task reaches a final state (barrier inputs). */
export interface TaskFinal {
  state: 'SUCCESS' | 'FAILURE' | 'REVOKED';
  result?: Json;
  error?: TaskError;
  /** Task ids this task added to its chord (add_to_chord), in order. */
  added?: string[];
}

/**
 * Lookup of stored finals by task id. `planIndex` is a hint (the task's index in `RunPlan.tasks`) when the
 * core knows it; an interpreter may ignore it. The core reads a returned final at once and never keeps
 * it, so a lookup may answer with one object it refills (the simulator's `FinalStore`).
 */
export type FinalLookup = ((taskId: string, planIndex?: number) => TaskFinal | undefined) & {
  /**
   * Optional, for a store that counts them: how many of its finals are FAILURE or REVOKED. When none is,
   * the end of a run does not look each task's final up for the first failure (a 100,000-task run's
   * scan).
   */
  failed?: () => number;
};

/** A header value leaf (or add_to_chord addition) reached a final state: count it for `chord.progress`. */
export interface ChordReport {
  /** Barrier key. */
  barrier: string;
  /** `chord.progress` chord_id (the chord's canvas path). */
  chord_id: string;
  /** Grows the expected total (add_to_chord). */
  grow?: number;
}

/** The core's answer to an input: events to append, messages to dispatch, finals to store. */
export interface Step {
  events: UnsequencedRunEvent[];
  /** Dispatch before completing the message that produced this step. */
  dispatch: Dispatch[];
  /** Store these finals (by task id) before completing the message. */
  finals: Array<{ task_id: string; final: TaskFinal /** Plan task index when known. */; task?: number }>;
  /** Chord header reports: increment the barrier's done counter and emit `chord.progress`. */
  reports: ChordReport[];
  /** Present when the attempt is retried: re-run `message` after `countdown_ms` (same key). */
  retry?: { countdown_ms: number; message: TaskMessage };
  /** Present when the run root was released: the run is over. */
  finish?: { status: RunStatus; result?: Json; error?: TaskError };
}

/** What the interpreter hands a task implementation. */
export interface TaskRequest {
  id: string;
  name: string;
  args: Json[];
  kwargs: JsonObject;
  /** Celery `request.retries`. */
  retries: number;
  /** The task's resolved `max_retries` (manual `retry()` without override uses it). */
  max_retries: number | null;
  /** True when the task is a chord header member (add_to_chord allowed). */
  in_chord: boolean;
  /** Prefix for model-service request ids (the cluster passes the run id; the simulator none). */
  namespace?: string;
  /** Model service URL used in error messages (default `http://model-service:9000/v1/predict`). */
  service_url?: string;
}

/** A finished attempt, as the core consumes it. */
export type AttemptOutcome = (
  | { kind: 'success'; value: Json; add_to_chord?: DynamicSig[] }
  | { kind: 'error'; error: TaskError }
  /** `self.retry(exc?, countdown?, max_retries?)`; seconds. */
  | { kind: 'retry'; exc?: TaskError; countdown_s?: number; max_retries?: number | null }
  /** `self.replace(sig)`. */
  | { kind: 'replace'; sig: DynamicSig }
  /** Not run: the message expired before a worker started it (`revokedOutcome`). */
  | { kind: 'revoked'; reason: 'expired' }
) & { observations?: Json[] };

/** Body of a model-service `/v1/predict` call (the seed's Flask app). */
export interface ModelRequest {
  task_type: string;
  text: string;
  request_id: string;
  fail_times: number;
  delay_seconds: number;
}

/** What an HTTP effect produced. */
export type HttpResponse =
  | { kind: 'response'; status: number; body: Json }
  | { kind: 'timeout' }
  | { kind: 'connection_error'; message: string };

/** IO a task asks its interpreter to perform; `then` continues the task with the effect's result. */
export type TaskEffect =
  | {
      kind: 'effect';
      effect: 'http';
      request: ModelRequest;
      timeout_ms: number;
      then: (response: HttpResponse) => TaskResult;
    }
  | { kind: 'effect'; effect: 'sleep'; ms: number; then: () => TaskResult };

/** What `executeTask` returns: an outcome, or an effect to perform first. */
export type TaskResult = AttemptOutcome | TaskEffect;

/** Injected environment of a transition. */
export interface Env {
  /** Milliseconds since the run started. */
  now: number;
  /** Uniform in [0, 1) (retry jitter). */
  random: () => number;
  worker: string;
  /** Which events the interpreter keeps (default `all`); the decisions are the same at every level. */
  events?: EventLevel;
}

/**
 * Which events the core builds. `all`: the trace (cluster, `simulate`). `outcomes`: all but the
 * announcements a run report does not read — `run.started` (the report lists the plan's canvas tasks)
 * and the `task.queued` of first deliveries (queued under the name the task is announced with) — so
 * the simulator's report-only runs do not build 2 events per task. `none`: no events (Monte Carlo).
 */
export type EventLevel = 'all' | 'outcomes' | 'none';
