/**
 * The task catalogue as data: every task a canvas may name — built-ins (SPEC 2.2), the tutorial's tasks,
 * the user's task modules, and (later) tasks registered on an external Celery cluster — with its
 * signature, description, default options (queue, retry policy, time limits) and simulation model.
 * One catalogue feeds the editor palette, validation, the simulator, the CLI, `GET /api/tasks` and the
 * workers; the task *implementations* live in the engine (built-ins) or in the user's modules.
 */
import type { DurationModel, Json, TaskOptions } from './model';

export interface TaskParam {
  name: string;
  /** `positional` = positional-or-keyword (Python), `varargs` = `*args`, `keyword` = keyword-only. */
  kind: 'positional' | 'varargs' | 'keyword';
  /** Present when the parameter is optional. */
  default?: Json;
  description?: string;
}

export interface CatalogueEntry {
  name: string;
  description: string;
  params: TaskParam[];
  /** Default retry/time-limit policy; unset fields fall back to Celery's defaults (`CELERY_DEFAULTS`). */
  defaults: TaskOptions;
  /** Default simulated duration of one attempt. */
  duration_ms: DurationModel;
  /** How the task behaves as an errback: `new` = called in-process with (request, exc, traceback). */
  errback_style: 'new' | 'old';
  /** Where the task comes from; `celery` = registered on an external Celery app (no local code). */
  source: TaskSource;
  /** The module that defines it (file name without extension for user tasks; `builtin`/`tutorial`). */
  module?: string;
  /** The module replaces a task of the same name on purpose (otherwise a name clash is an error). */
  override?: boolean;
  /** Takes any keyword argument (Python's `**kwargs`): director-style tasks `(*args, **kwargs)`. */
  any_kwargs?: boolean;
}

export type TaskSource = 'builtin' | 'tutorial' | 'user' | 'celery';

export type TaskCatalogue = ReadonlyMap<string, CatalogueEntry>;

/** Celery's task defaults (celery-semantics.md 8.4), used when neither the catalogue nor the node sets one. */
export const CELERY_DEFAULTS = {
  max_retries: 3,
  default_retry_delay: 180,
  autoretry_for: [] as string[],
  retry_backoff: false,
  retry_backoff_max: 600,
  retry_jitter: true,
} as const satisfies TaskOptions;

const FAST: DurationModel = { dist: 'fixed', ms: 5 };
const MODEL_CALL: DurationModel = { dist: 'uniform', min_ms: 40, max_ms: 80 };

function p(name: string, description?: string): TaskParam {
  return description === undefined ? { name, kind: 'positional' } : { name, kind: 'positional', description };
}

function opt(name: string, value: Json, kind: 'positional' | 'keyword' = 'positional'): TaskParam {
  return { name, kind, default: value };
}

function builtin(
  name: string,
  description: string,
  params: TaskParam[],
  extra: Partial<Pick<CatalogueEntry, 'defaults' | 'duration_ms' | 'errback_style' | 'source'>> = {},
): CatalogueEntry {
  // Celery decides the errback style by arity: more than one positional parameter (or *args) is new style.
  const positional = params.filter((x) => x.kind === 'positional').length;
  const varargs = params.some((x) => x.kind === 'varargs');
  return {
    name,
    description,
    params,
    defaults: extra.defaults ?? {},
    duration_ms: extra.duration_ms ?? FAST,
    errback_style: extra.errback_style ?? (positional > 1 || varargs ? 'new' : 'old'),
    source: extra.source ?? 'builtin',
    module: extra.source ?? 'builtin',
  };
}

const PAYLOAD: TaskParam = {
  name: 'payload',
  kind: 'keyword',
  default: null,
  description: '{raw, scenario}',
};
const WORKFLOW_ID: TaskParam = { name: 'workflow_id', kind: 'keyword', default: null };
const PARENT: TaskParam = { name: 'args', kind: 'varargs', description: 'args[0] is the parent result' };

/** The built-in tasks of SPEC 2.2, in palette order. */
export const BUILTIN_TASKS: readonly CatalogueEntry[] = [
  builtin('identity', 'identity(x) → x', [p('x')]),
  builtin('add', 'add(x, y) → x + y (numbers add; strings and lists concatenate)', [p('x'), p('y')]),
  builtin('mul', 'mul(x, y) → x * y', [p('x'), p('y')]),
  builtin('tsum', 'tsum(nums) → sum of a flat list ([] → 0)', [p('nums')]),
  builtin('xsum', 'xsum(nums) → sum; items may be lists (a list contributes its sum)', [p('nums')]),
  builtin('add_to_all', 'add_to_all(nums, val) → each n + val', [p('nums'), p('val')]),
  builtin('delayed', 'delayed(x, ms=0) sleeps ms then returns x', [p('x'), opt('ms', 0)]),
  builtin(
    'fail',
    "fail(*args, ms=0) sleeps ms then raises ExpectedException('Task expected to fail', *args)",
    [{ name: 'args', kind: 'varargs' }, opt('ms', 0, 'keyword')],
  ),
  builtin('record', 'record(value=None, tag=None) appends an observation and returns value', [
    opt('value', null),
    opt('tag', null),
  ]),
  builtin(
    'on_error',
    'on_error(request, exc, traceback, tag=None) — new-style errback: records the failed request',
    [p('request'), p('exc'), p('traceback'), opt('tag', null)],
    { errback_style: 'new' },
  ),
  builtin(
    'on_error_id',
    'on_error_id(task_id, *, tag=None) — old-style errback: records the failed task id',
    [p('task_id'), opt('tag', null, 'keyword')],
    { errback_style: 'old' },
  ),
  builtin('flaky', 'flaky(n, value, max_retries=3): retries with exc (0.2 s) while retries < n', [
    p('n'),
    p('value'),
    opt('max_retries', 3),
  ]),
  builtin('flaky_noexc', 'flaky_noexc(n, value, max_retries=3): like flaky, retry without exc', [
    p('n'),
    p('value'),
    opt('max_retries', 3),
  ]),
  builtin(
    'autoflaky',
    'autoflaky(n, value): raises ExpectedException while retries < n; autoretry_for ExpectedException',
    [p('n'), p('value')],
    { defaults: { autoretry_for: ['ExpectedException'], max_retries: 2, default_retry_delay: 0.2 } },
  ),
  builtin('add_replaced', 'add_replaced(x, y) replaces itself with add.s(x, y)', [p('x'), p('y')]),
  builtin(
    'add_to_chord_task',
    'add_to_chord_task(nums, val) adds add.s(n, val) to its chord per n; returns 0',
    [p('nums'), p('val')],
  ),
  // Celery's own map tasks (lib/canvas/chunks.ts); `task` is the inner task's signature.
  builtin('celery.map', 'xmap(task, it): one task calling task(item) for each item → list', [
    p('task'),
    p('it'),
  ]),
  builtin('celery.starmap', 'xstarmap(task, it): one task calling task(*item) for each item → list', [
    p('task'),
    p('it'),
  ]),
  builtin('celery.chunks', 'chunks(task, it, n): a group of xstarmap tasks over parts of n items', [
    p('task'),
    p('it'),
    p('n'),
  ]),
  builtin(
    'TASK_A',
    'Tutorial preprocess: calls the model service (autoretry, backoff 2 s, cap 30 s, no jitter)',
    [PARENT, PAYLOAD, WORKFLOW_ID],
    {
      source: 'tutorial',
      duration_ms: MODEL_CALL,
      defaults: {
        autoretry_for: ['RequestException', 'SoftTimeLimitExceeded'],
        retry_backoff: 2,
        retry_backoff_max: 30,
        retry_jitter: false,
        max_retries: 3,
        soft_time_limit: 6,
      },
    },
  ),
  builtin(
    'TASK_B',
    'Tutorial embed: calls the model service (manual retry after 3 s)',
    [PARENT, PAYLOAD, WORKFLOW_ID],
    {
      source: 'tutorial',
      duration_ms: MODEL_CALL,
      defaults: { countdown: 3, max_retries: 3 },
    },
  ),
  builtin(
    'TASK_C',
    'Tutorial classify: calls the model service (autoretry, backoff 2 s, cap 15 s, jitter)',
    [PARENT, PAYLOAD, WORKFLOW_ID],
    {
      source: 'tutorial',
      duration_ms: MODEL_CALL,
      defaults: {
        autoretry_for: ['RequestException'],
        retry_backoff: 2,
        retry_backoff_max: 15,
        retry_jitter: true,
        max_retries: 3,
      },
    },
  ),
  builtin(
    'TASK_D',
    'Tutorial merge: combines the results of B and C (no retries)',
    [PARENT, PAYLOAD, WORKFLOW_ID],
    {
      source: 'tutorial',
      duration_ms: FAST,
    },
  ),
];

function origin(entry: CatalogueEntry): string {
  return entry.source === 'user' && entry.module ? `module "${entry.module}"` : `the ${entry.source} tasks`;
}

/**
 * Merges `extra` entries into a catalogue. A name that is already taken is a clash — reported as a
 * sentence and the new entry left out — unless the new entry says `override: true`, which replaces it.
 */
export function mergeCatalogue(
  base: TaskCatalogue,
  extra: readonly CatalogueEntry[],
): { catalogue: TaskCatalogue; clashes: string[] } {
  const map = new Map(base);
  const clashes: string[] = [];
  for (const entry of extra) {
    const taken = map.get(entry.name);
    if (taken !== undefined && entry.override !== true) {
      clashes.push(
        `Task "${entry.name}" from ${origin(entry)} clashes with the task of the same name from ${origin(taken)}: rename it, or declare \`override: true\` in the module to replace it.`,
      );
      continue;
    }
    map.set(entry.name, entry);
  }
  return { catalogue: map, clashes };
}

/** Raised when a catalogue cannot be built (a name clash without `override`). */
export class CatalogueError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'CatalogueError';
  }
}

/**
 * A catalogue of the built-in and tutorial tasks plus `extra` entries. An extra entry with a taken name
 * must say `override: true`; otherwise this throws a `CatalogueError` naming the clash.
 */
export function createCatalogue(extra: readonly CatalogueEntry[] = []): TaskCatalogue {
  const base = new Map<string, CatalogueEntry>();
  for (const entry of BUILTIN_TASKS) base.set(entry.name, entry);
  if (extra.length === 0) return base;
  const { catalogue, clashes } = mergeCatalogue(base, extra);
  if (clashes.length > 0) throw new CatalogueError(clashes);
  return catalogue;
}

/** A task's Python-style signature, e.g. `add(x, y)`, `fail(*args, ms=0)`, `TASK_A(*args, payload=None)`. */
export function signatureOf(entry: Pick<CatalogueEntry, 'name' | 'params' | 'any_kwargs'>): string {
  const parts: string[] = [];
  let starred = false;
  for (const p of entry.params) {
    if (p.kind === 'varargs') {
      parts.push(`*${p.name}`);
      starred = true;
      continue;
    }
    if (p.kind === 'keyword' && !starred) {
      parts.push('*');
      starred = true;
    }
    parts.push(p.default === undefined ? p.name : `${p.name}=${pyDefault(p.default)}`);
  }
  if (entry.any_kwargs === true) parts.push('**kwargs');
  return `${entry.name}(${parts.join(', ')})`;
}

function pyDefault(value: Json): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return JSON.stringify(value);
}

/** The effective options of a node: Celery defaults, then the catalogue's defaults, then the node's. */
export function resolveTaskOptions(entry: CatalogueEntry | undefined, node: TaskOptions): TaskOptions {
  return { ...CELERY_DEFAULTS, autoretry_for: [], ...(entry?.defaults ?? {}), ...node };
}
