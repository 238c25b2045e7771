/**
 * What celery-director does to a workflow when it runs it (seed-tutorial-and-director.md 2.2), applied to
 * the canvas read from `workflows.yml`: every task gets `kwargs = {workflow_id, payload}`, its queue
 * (`queue: q1` or `{default: q1, customs: {TASK: q2}}`), and the workflow's hooks become Celery links on
 * the whole chain — the success hook after the last step (immutable, `args = (None,)` like director's
 * `end` result), the failure hook as the chain's errback (immutable: it gets no error details, as in
 * director). Hook tasks carry the labels `hook.success` / `hook.failure` (repeats `hook.failure-2` …,
 * one per chain step Celery copies the errback to), so run views can show them as `is_hook`.
 * Pure: the simulator and the cluster run the same canvas.
 */
import type { CanvasFile, CanvasNode, Json, TaskNode } from './model';
import type { DirectorMeta } from './nativeDocument';

export const SUCCESS_HOOK_ID = 'hook.success';
export const FAILURE_HOOK_ID = 'hook.failure';

/** True for the task id of a director hook (`hook.success`, `hook.failure`, `hook.failure-2` …). */
export function isHookId(id: string): boolean {
  return id === SUCCESS_HOOK_ID || id === FAILURE_HOOK_ID || /^hook\.failure-\d+$/.test(id);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The queue director routes `task` to: the workflow's `queue` string, else `customs[task]`, else
 * `default`; undefined = Celery's default queue.
 */
export function directorQueueOf(queue: Json | undefined, task: string): string | undefined {
  if (typeof queue === 'string' && queue !== '') return queue;
  if (!isObject(queue)) return undefined;
  const customs = queue.customs;
  if (isObject(customs) && typeof customs[task] === 'string') return customs[task] as string;
  return typeof queue.default === 'string' ? queue.default : undefined;
}

/** Problems with a workflow's `queue` setting (sentences with the path), empty when it is fine. */
export function queueProblems(queue: Json | undefined): string[] {
  if (queue === undefined || typeof queue === 'string') return [];
  if (!isObject(queue)) return ['"queue" must be a queue name or {default: q1, customs: {TASK: q2}}.'];
  const out: string[] = [];
  if (queue.default !== undefined && typeof queue.default !== 'string')
    out.push('"queue.default" must be a queue name.');
  if (queue.customs !== undefined) {
    if (!isObject(queue.customs)) out.push('"queue.customs" must map task names to queue names.');
    else
      for (const [k, v] of Object.entries(queue.customs))
        if (typeof v !== 'string') out.push(`"queue.customs.${k}" must be a queue name.`);
  }
  return out;
}

export interface DirectorRunContext {
  /** The run id director passes as `workflow_id` (`null` when unknown, e.g. when only validating). */
  workflowId: Json;
  payload: Json;
}

function directorTask(node: TaskNode, meta: DirectorMeta, ctx: DirectorRunContext): TaskNode {
  const queue = directorQueueOf(meta.queue, node.task);
  return {
    ...node,
    kwargs: { ...node.kwargs, workflow_id: ctx.workflowId, payload: ctx.payload },
    options: queue === undefined ? node.options : { ...node.options, queue },
  };
}

function withDirectorKwargs(node: CanvasNode, meta: DirectorMeta, ctx: DirectorRunContext): CanvasNode {
  switch (node.type) {
    case 'task':
      return directorTask(node, meta, ctx);
    case 'chord':
      return {
        ...node,
        header: node.header.map((n) => withDirectorKwargs(n, meta, ctx)),
        body: withDirectorKwargs(node.body, meta, ctx),
      };
    default:
      return { ...node, tasks: node.tasks.map((n) => withDirectorKwargs(n, meta, ctx)) };
  }
}

function hookTask(
  name: string,
  id: string,
  args: Json[],
  meta: DirectorMeta,
  ctx: DirectorRunContext,
): TaskNode {
  return directorTask(
    {
      type: 'task',
      task: name,
      id,
      args,
      kwargs: {},
      immutable: true,
      options: {},
      link: [],
      link_error: [],
    },
    meta,
    ctx,
  );
}

/** The canvas director runs for a workflow read from `workflows.yml` (see the module comment). */
export function directorRunFile(file: CanvasFile, meta: DirectorMeta, ctx: DirectorRunContext): CanvasFile {
  let canvas = withDirectorKwargs(file.canvas, meta, ctx);
  const success = meta.hooks?.success;
  const failure = meta.hooks?.failure;
  if (success !== undefined || failure !== undefined) {
    const chain: CanvasNode =
      canvas.type === 'chain' ? canvas : { type: 'chain', tasks: [canvas], link: [], link_error: [] };
    canvas = {
      ...chain,
      link:
        success === undefined
          ? chain.link
          : [...chain.link, hookTask(success, SUCCESS_HOOK_ID, [null], meta, ctx)],
      link_error:
        failure === undefined
          ? chain.link_error
          : [...chain.link_error, hookTask(failure, FAILURE_HOOK_ID, [], meta, ctx)],
    };
  }
  return { ...file, canvas };
}
