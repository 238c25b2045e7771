/**
 * The canvas model: a tree of task signatures, chains, groups and chords, nestable to any depth
 * (Celery's canvas, `celery-semantics.md` section 1). Pure data, JSON-serializable, no behaviour.
 *
 * This is the in-memory form every format converts to and from. It keeps what the user wrote
 * (a `chain` holding a group followed by a task stays a chain); `normalizeCanvas` applies Celery's
 * composition rules (section 7) when a canvas is prepared for execution or Celery JSON export.
 *
 * Units follow Celery: every time option is in **seconds** (countdown, default_retry_delay,
 * retry_backoff_max, soft_time_limit, time_limit); simulation models use milliseconds (`*_ms`).
 */

/** Any JSON value (task arguments, results). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Retry policy of a task (Celery `Task` attributes / `retry()` arguments), overridable per node. */
export interface RetryOptions {
  /** Retries allowed after the first execution; `null` = retry forever. Celery default 3. */
  max_retries?: number | null;
  /** Seconds to wait before a retry when nothing else decides (Celery `countdown` retry kwarg). */
  countdown?: number;
  /** Seconds; used when `retry()` gets no countdown/eta. Celery default 180. */
  default_retry_delay?: number;
  /** Exception type names that trigger an automatic retry (Celery `autoretry_for`). */
  autoretry_for?: string[];
  /** Exponential backoff factor: `true` = 1, a number = that factor (Celery `retry_backoff`). */
  retry_backoff?: boolean | number;
  /** Backoff cap in seconds (Celery default 600). */
  retry_backoff_max?: number;
  /** Full jitter on the backoff (Celery default true). */
  retry_jitter?: boolean;
}

/**
 * How the message is sent (Celery `apply_async`/`.set()` options), with Celery's meaning. `countdown` is
 * *not* here: in Canvas JSON it is the retry delay (SPEC 2.1); Celery's start delay is `apply_countdown`
 * (a Celery JSON `countdown` is read into it, and written back as `countdown`).
 */
export interface SendOptions {
  /** Seconds after the message is sent before the task may start (Celery `apply_async(countdown=…)`). */
  apply_countdown?: number;
  /** ISO 8601 time before which the task does not start (Celery `eta`; `apply_countdown` wins). */
  eta?: string;
  /** A task not started by then is REVOKED (`TaskRevokedError('expired')`): seconds after sending, or ISO time. */
  expires?: number | string;
  /** Message priority 0..255; lower runs first (Celery on Redis; BullMQ priority `p + 1` on the cluster). */
  priority?: number;
  /** Celery routing key (kept and exported; the cluster routes by `queue`). */
  routing_key?: string;
  /** The result is not stored: the report shows the task's state without its value. */
  ignore_result?: boolean;
  /** Name shown for the task in events and reports (Celery `shadow`); the task run is still `task`. */
  shadow?: string;
}

export interface TaskOptions extends RetryOptions, SendOptions {
  /** Seconds until `SoftTimeLimitExceeded` is raised inside the task (catchable, retryable). */
  soft_time_limit?: number;
  /** Seconds until the task is killed (`TimeLimitExceeded`, never retried). */
  time_limit?: number;
  /** Queue the task is routed to. */
  queue?: string;
}

/** A duration model for simulated attempts, in milliseconds. */
export type DurationModel =
  | number
  | { dist: 'fixed'; ms: number }
  | { dist: 'uniform'; min_ms: number; max_ms: number }
  | { dist: 'normal'; mean_ms: number; sd_ms: number }
  | { dist: 'exponential'; mean_ms: number };

/**
 * How the simulator models one task node (ignored by real runs). Faults apply per attempt.
 */
export interface SimModel {
  /** Duration of one attempt; defaults to the task catalogue's model. */
  duration_ms?: DurationModel;
  /** The first k attempts raise. */
  fail_first?: number;
  /** Each attempt raises with this probability (after `fail_first`). */
  fail_probability?: number;
  /** Extra milliseconds added to every attempt (a slow dependency; combine with time limits). */
  extra_delay_ms?: number;
  /** Every attempt raises (a dependency that is down). */
  down?: boolean;
  /** What injected failures raise; default `ExpectedException('injected failure')`. */
  error?: { type: string; message?: string };
}

export interface CallbackLists {
  /** Callbacks applied on success with the result prepended (Celery `link`). */
  link: CanvasNode[];
  /** Errbacks applied on final failure (Celery `link_error`). */
  link_error: CanvasNode[];
}

export interface TaskNode extends CallbackLists {
  type: 'task';
  /** Registered task name, e.g. `add` or `TASK_A`. */
  task: string;
  args: Json[];
  kwargs: JsonObject;
  /** `.si()` — ignores the parent's result and call-time arguments. */
  immutable: boolean;
  /** Label used verbatim as the Celery task id. */
  id?: string;
  options: TaskOptions;
  sim?: SimModel;
}

export interface ChainNode extends CallbackLists {
  /** Celery `.set()` on the chain: given to its members when applied (`lib/canvas/setOptions.ts`). */
  options?: TaskOptions;
  type: 'chain';
  tasks: CanvasNode[];
  /**
   * `true` = the steps are taken exactly as they are (Celery's `_chain(tasks)`: the result of `|`, or a
   * chain read from Celery JSON). Absent = built like `celery.chain(*tasks)`, i.e. folded with `|` when
   * normalized (what a person writes or draws). Every chain `normalizeCanvas` returns is raw.
   */
  raw?: boolean;
}

export interface GroupNode extends CallbackLists {
  /** Celery `.set()` on the group: given to its members when applied (`lib/canvas/setOptions.ts`). */
  options?: TaskOptions;
  type: 'group';
  tasks: CanvasNode[];
}

export interface ChordNode extends CallbackLists {
  /** Celery `.set()` on the chord: given to its members when applied (`lib/canvas/setOptions.ts`). */
  options?: TaskOptions;
  type: 'chord';
  header: CanvasNode[];
  body: CanvasNode;
}

export type CanvasNode = TaskNode | ChainNode | GroupNode | ChordNode;

/** Call-time partial arguments given when the top-level canvas is applied (`sig.apply_async(args, kwargs)`). */
export interface InvokeArgs {
  args: Json[];
  kwargs: JsonObject;
}

export interface CanvasConfig {
  /** Celery's `task_allow_error_cb_on_chord_header` (default false). */
  task_allow_error_cb_on_chord_header: boolean;
}

/** A runnable canvas: the tree plus how it is applied. The unit every format and interpreter works on. */
export interface CanvasFile {
  canvas: CanvasNode;
  invoke: InvokeArgs;
  config: CanvasConfig;
}

/**
 * Path of a node inside a canvas, e.g. `[]` root, `['tasks', 1]`, `['header', 0, 'tasks', 2]`,
 * `['body']`, `['link', 0]`. Used by validation messages and by the editor to map back to drawn nodes.
 */
export type NodePath = Array<string | number>;
