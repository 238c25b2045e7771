/**
 * Celery's `chunks`, `xmap` and `xstarmap` (celery/canvas.py). In Celery they are signatures of the
 * built-in tasks `celery.chunks`, `celery.map` and `celery.starmap` whose kwargs hold the inner task's
 * signature and the items (`json.dumps(add.map([1, 2]))` is `{"task": "celery.map", "kwargs": {"task":
 * {…add…}, "it": [1, 2]}, "immutable": true, "subtask_type": null, …}`), and Chordflow keeps exactly
 * that shape in the model, so Celery JSON reads and writes them unchanged. Canvas JSON has a short form:
 * `{"xmap": {"task": TASK, "items": [...]}}`, `{"xstarmap": …}`, `{"chunks": {"task": TASK, "items":
 * [[…], …], "n": 2}}`.
 *
 * Meaning (Celery's): `celery.map` is ONE task calling the inner task's function once per item, in
 * process (`[task(item) for item in it]`, the inner signature's own args ignored); `celery.starmap` the
 * same with `task(*item)`; `chunks(task, it, n)` is `chunks.group()`: a group of `celery.starmap` tasks
 * over consecutive parts of n items (`normalizeCanvas` expands it).
 */
import type { CanvasNode, GroupNode, Json, JsonObject, TaskNode } from './model';
import { kindOf } from './optionsSchema';
import { error, type Problem } from './problems';

export const CHUNKS_TASK = 'celery.chunks';
export const MAP_TASK = 'celery.map';
export const STARMAP_TASK = 'celery.starmap';

/** Canvas JSON short-form key → Celery task name. */
export const MAP_KINDS = { chunks: CHUNKS_TASK, xmap: MAP_TASK, xstarmap: STARMAP_TASK } as const;
export type MapKind = keyof typeof MAP_KINDS;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for a `chunks` node (expanded to `chunks.group()` when a canvas is applied). */
export function isChunks(node: CanvasNode): node is TaskNode {
  return node.type === 'task' && node.task === CHUNKS_TASK;
}

/** Name of the inner task of a map/starmap/chunks kwargs (`task` is a signature dict or a name). */
export function innerTaskName(kwargs: JsonObject): string | undefined {
  const t = kwargs.task;
  if (typeof t === 'string') return t;
  if (isObject(t) && typeof t.task === 'string') return t.task;
  return undefined;
}

/** Consecutive parts of `n` items (Celery `celery.utils.functional.chunks`). */
export function partsOf<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * Celery's `chunks.group()`: one immutable `celery.starmap` task per part. The chunks node's options go
 * to every part (as `.set()` on a group does), its links stay on the group, its `id` label names the
 * parts `<id>-0`, `<id>-1`, ….
 */
export function chunksGroup(node: TaskNode): GroupNode {
  const it = Array.isArray(node.kwargs.it) ? (node.kwargs.it as Json[]) : [];
  const n = typeof node.kwargs.n === 'number' && node.kwargs.n >= 1 ? Math.floor(node.kwargs.n) : 1;
  const task = node.kwargs.task ?? null;
  // The parts keep whatever else the node carries (its options, simulation model, an editor's node uid,
  // so the drawn chunks node shows its parts' run state).
  const { id, link: _link, link_error: _linkError, ...rest } = node;
  const tasks = partsOf(it, n).map((part, i): TaskNode => {
    const member: TaskNode = {
      ...rest,
      task: STARMAP_TASK,
      args: [],
      kwargs: { task, it: part },
      immutable: true,
      link: [],
      link_error: [],
    };
    if (id !== undefined) member.id = `${id}-${i}`;
    return member;
  });
  return { type: 'group', tasks, link: node.link, link_error: node.link_error };
}

/** The inner task of the short form as Celery signature JSON (what `add.s(…)` dumps). */
function innerSignature(value: unknown, path: string, problems: Problem[]): JsonObject | null {
  if (!isObject(value) || typeof value.task !== 'string' || value.task.trim() === '') {
    problems.push(error(path, `"task" must be a task node such as {"task": "add"}, not ${kindOf(value)}.`));
    return null;
  }
  for (const key of Object.keys(value))
    if (!['task', 'args', 'kwargs', 'immutable'].includes(key))
      problems.push(
        error(`${path}.${key}`, `Unknown field "${key}" on a mapped task; it has "task", "args", "kwargs".`),
      );
  if (value.args !== undefined && !Array.isArray(value.args))
    problems.push(error(`${path}.args`, `"args" must be a list, not ${kindOf(value.args)}.`));
  if (value.kwargs !== undefined && !isObject(value.kwargs))
    problems.push(error(`${path}.kwargs`, `"kwargs" must be an object, not ${kindOf(value.kwargs)}.`));
  return {
    task: value.task,
    args: Array.isArray(value.args) ? (value.args as Json[]) : [],
    kwargs: isObject(value.kwargs) ? (value.kwargs as JsonObject) : {},
    options: {},
    subtask_type: null,
    immutable: value.immutable === true,
  };
}

/**
 * The short form `{"<kind>": {task, items, n?}, id?, options?, link?, link_error?}` as the plain task
 * node JSON it stands for (`{"task": "celery.map", "kwargs": {...}, "immutable": true, …}`), or `null`
 * with problems.
 */
export function desugarMapNode(
  kind: MapKind,
  value: Record<string, unknown>,
  path: string,
  problems: Problem[],
): Record<string, unknown> | null {
  const body = value[kind];
  const at = `${path}.${kind}`;
  if (!isObject(body)) {
    problems.push(
      error(
        at,
        `"${kind}" must be an object {"task": TASK, "items": [...]${kind === 'chunks' ? ', "n": N' : ''}}, not ${kindOf(body)}.`,
      ),
    );
    return null;
  }
  const before = problems.length;
  const allowed = kind === 'chunks' ? ['task', 'items', 'n'] : ['task', 'items'];
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      problems.push(
        error(
          `${at}.${key}`,
          `Unknown field "${key}" in "${kind}"; it has ${allowed.map((k) => `"${k}"`).join(', ')}.`,
        ),
      );
  for (const key of Object.keys(value))
    if (![kind, 'id', 'options', 'link', 'link_error', 'sim'].includes(key))
      problems.push(error(`${path}.${key}`, `Unknown field "${key}" on a ${kind} node.`));
  const task = innerSignature(body.task, `${at}.task`, problems);
  if (!Array.isArray(body.items))
    problems.push(error(`${at}.items`, `"items" must be a list, not ${kindOf(body.items)}.`));
  else if (kind !== 'xmap')
    body.items.forEach((item, i) => {
      if (!Array.isArray(item))
        problems.push(
          error(`${at}.items[${i}]`, `Each item is a list of arguments (task(*item)), not ${kindOf(item)}.`),
        );
    });
  if (kind === 'chunks' && !(typeof body.n === 'number' && Number.isInteger(body.n) && body.n >= 1))
    problems.push(
      error(`${at}.n`, `"n" must be a whole number ≥ 1 (items per chunk), not ${kindOf(body.n)}.`),
    );
  if (problems.length > before || task === null) return null;
  const kwargs: JsonObject = { task, it: body.items as Json[] };
  if (kind === 'chunks') kwargs.n = body.n as number;
  const out: Record<string, unknown> = { task: MAP_KINDS[kind], kwargs, immutable: true };
  for (const key of ['id', 'options', 'link', 'link_error', 'sim']) if (key in value) out[key] = value[key];
  return out;
}

/** The short form of a map/starmap/chunks task node, or `null` when the node is not one (or is unusual). */
export function sugarMapNode(node: TaskNode): { kind: MapKind; body: JsonObject } | null {
  const kind = (Object.keys(MAP_KINDS) as MapKind[]).find((k) => MAP_KINDS[k] === node.task);
  if (kind === undefined || node.args.length > 0 || !node.immutable) return null;
  const { task, it, n, ...rest } = node.kwargs;
  if (Object.keys(rest).length > 0 || !isObject(task) || typeof task.task !== 'string' || !Array.isArray(it))
    return null;
  const inner: JsonObject = { task: task.task };
  if (Array.isArray(task.args) && task.args.length > 0) inner.args = task.args;
  if (isObject(task.kwargs) && Object.keys(task.kwargs).length > 0) inner.kwargs = task.kwargs;
  if (task.immutable === true) inner.immutable = true;
  const body: JsonObject = { task: inner, items: it };
  if (kind === 'chunks') {
    if (typeof n !== 'number') return null;
    body.n = n;
  } else if (n !== undefined) return null;
  return { kind, body };
}

/**
 * Problems of a map/starmap/chunks task node (Celery would fail at run time): the inner task must be
 * known, `it` a list (of argument lists for starmap/chunks), `n` a whole number ≥ 1.
 */
export function mapNodeProblems(
  node: TaskNode,
  source: (name: string) => string | undefined,
): Array<{ path: Array<string | number>; message: string }> {
  if (node.task !== MAP_TASK && node.task !== STARMAP_TASK && node.task !== CHUNKS_TASK) return [];
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  const inner = innerTaskName(node.kwargs);
  if (inner === undefined)
    out.push({
      path: ['kwargs', 'task'],
      message: `${node.task} needs "task": the signature of the task it calls.`,
    });
  else if (source(inner) === undefined)
    out.push({ path: ['kwargs', 'task'], message: `Unknown task "${inner}" in ${node.task}.` });
  else if (source(inner) !== 'builtin' && source(inner) !== 'tutorial')
    out.push({
      path: ['kwargs', 'task'],
      message: `${node.task} calls "${inner}" in process, which Chordflow can do for built-in and tutorial tasks only; use a group of "${inner}" signatures instead.`,
    });
  const it = node.kwargs.it;
  if (!Array.isArray(it))
    out.push({ path: ['kwargs', 'it'], message: `${node.task} needs "it": a list of items.` });
  else if (node.task !== MAP_TASK)
    it.forEach((item, i) => {
      if (!Array.isArray(item))
        out.push({
          path: ['kwargs', 'it', i],
          message: `Each item is a list of arguments (task(*item)), not ${kindOf(item)}.`,
        });
    });
  if (
    node.task === CHUNKS_TASK &&
    !(typeof node.kwargs.n === 'number' && Number.isInteger(node.kwargs.n) && node.kwargs.n >= 1)
  )
    out.push({
      path: ['kwargs', 'n'],
      message: `"n" must be a whole number ≥ 1 (items per chunk), not ${kindOf(node.kwargs.n)}.`,
    });
  return out;
}

/** Celery signature JSON of a plain task (what `name.s()` dumps). */
function plainSignature(name: string): JsonObject {
  return { task: name, args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
}

/**
 * A ready-to-run node for a map task dropped from the palette (an example inner task and items the user
 * edits in the inspector), or `null` for any other task name.
 */
export function mapTaskTemplate(name: string): TaskNode | null {
  let kwargs: JsonObject;
  if (name === MAP_TASK) kwargs = { task: plainSignature('identity'), it: [1, 2, 3] };
  else if (name === STARMAP_TASK)
    kwargs = {
      task: plainSignature('add'),
      it: [
        [1, 2],
        [3, 4],
      ],
    };
  else if (name === CHUNKS_TASK)
    kwargs = {
      task: plainSignature('add'),
      it: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      n: 2,
    };
  else return null;
  return {
    type: 'task',
    task: name,
    args: [],
    kwargs,
    immutable: true,
    options: {},
    link: [],
    link_error: [],
  };
}

/**
 * A one-line Celery-style reading of a map task for the editor's card — `[add(x) for x in 3 items]`,
 * `[add(*x) for x in 2 items]`, `chunks(add, 6 items, n=2) → 3 tasks` — or `null` for other tasks.
 */
export function mapSummary(node: TaskNode): string | null {
  if (node.task !== MAP_TASK && node.task !== STARMAP_TASK && node.task !== CHUNKS_TASK) return null;
  const inner = innerTaskName(node.kwargs) ?? '?';
  const it = node.kwargs.it;
  const count = Array.isArray(it) ? `${it.length} item${it.length === 1 ? '' : 's'}` : 'no items';
  if (node.task === MAP_TASK) return `[${inner}(x) for x in ${count}]`;
  if (node.task === STARMAP_TASK) return `[${inner}(*x) for x in ${count}]`;
  const n = typeof node.kwargs.n === 'number' && node.kwargs.n >= 1 ? Math.floor(node.kwargs.n) : 0;
  const parts = Array.isArray(it) && n > 0 ? Math.ceil(it.length / n) : 0;
  return `chunks(${inner}, ${count}, n=${n || '?'}) → ${parts} task${parts === 1 ? '' : 's'}`;
}
