/**
 * Celery signature dicts (what `json.dumps(sig)` holds, protocol 2) for the nodes of a frozen run plan,
 * with the task ids Chordflow chose. These are what a Celery worker finds in a message's `embed`
 * (`chain`, `chord`, `callbacks`, `errbacks`) and rebuilds with `signature(d)`; shapes follow what Celery
 * 5.2's `apply_async` puts there (celery-wire.md 2.1–2.6, 6.1).
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import { toCeleryOptionKey } from '../canvas/celeryOptions';
import type { Json, JsonObject } from '../canvas/model';
import { resolveOptions } from '../engine/resolveOptions';
import type { PlanNode, PlanTask, ResolvedOptions, RunPlan } from '../engine/types';

/** What the signature builders need besides the plan. */
export interface SigContext {
  plan: RunPlan;
  catalogue: TaskCatalogue;
  /** The client's `reply_to` (Celery: one version-3 UUID per client process). */
  replyTo: string;
  /** Celery task id of a plan task. */
  celeryId(task: PlanTask): string;
  /** Group id Chordflow gives the group or chord at plan node `node`. */
  groupId(node: number): string;
}

const RETRY_KEYS = [
  'max_retries',
  'default_retry_delay',
  'autoretry_for',
  'retry_backoff',
  'retry_backoff_max',
  'retry_jitter',
] as const;

/**
 * The options a node set itself, as `.set()` would carry them, with Celery's names (celeryOptions.ts):
 * everything that differs from the task's catalogue defaults. Celery applies `countdown`, `queue`, time limits per signature; the retry policy
 * keys ride along as message properties (the exported Python module's ChordflowTask honours them).
 */
export function ownOptions(ctx: SigContext, t: PlanTask): JsonObject {
  const base: ResolvedOptions = resolveOptions(ctx.catalogue.get(t.name), {});
  const out: JsonObject = {};
  const o = t.options as unknown as Record<string, Json | undefined>;
  const b = base as unknown as Record<string, Json | undefined>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || JSON.stringify(v) === JSON.stringify(b[k])) continue;
    out[toCeleryOptionKey(k)] = v;
  }
  for (const k of RETRY_KEYS) if (k in out && out[k] === null && k !== 'max_retries') delete out[k];
  return out;
}

function taskOf(ctx: SigContext, node: Extract<PlanNode, { kind: 'task' }>): PlanTask {
  const t = ctx.plan.tasks[node.task];
  if (t === undefined) throw new Error(`The plan has no task ${node.task}.`);
  return t;
}

function nodeAt(ctx: SigContext, index: number): PlanNode {
  const n = ctx.plan.nodes[index];
  if (n === undefined) throw new Error(`The plan has no node ${index}.`);
  return n;
}

/**
 * Links and errbacks of a task as Celery signature lists. Celery does not freeze callbacks (no
 * reply_to, no group ids); Chordflow still sets each callback task's id, as `.set(task_id=…)` would,
 * so the run can follow it.
 */
export function callbackSigs(ctx: SigContext, nodes: readonly number[]): JsonObject[] | null {
  return nodes.length === 0 ? null : nodes.map((n) => nodeSig(ctx, n, {}, false));
}

/**
 * A task signature; `extra` are the options Celery adds while freezing (chord, group_index …);
 * `frozen` adds the client's reply_to as Celery's freeze does.
 */
export function taskSig(ctx: SigContext, t: PlanTask, extra: JsonObject, frozen = true): JsonObject {
  const options: JsonObject = frozen
    ? { task_id: ctx.celeryId(t), reply_to: ctx.replyTo, ...extra }
    : { task_id: ctx.celeryId(t), ...extra };
  Object.assign(options, ownOptions(ctx, t));
  const link = callbackSigs(ctx, t.links);
  const linkError = callbackSigs(ctx, t.errbacks);
  if (link) options.link = link;
  if (linkError) options.link_error = linkError;
  return {
    task: t.name,
    args: t.args,
    kwargs: t.kwargs,
    options,
    subtask_type: null,
    immutable: t.immutable,
  };
}

/** A chord's body signature (a `celery.chain` when the body is a chain). */
function chainSig(
  ctx: SigContext,
  steps: readonly number[],
  options: JsonObject,
  frozen: boolean,
): JsonObject {
  return {
    task: 'celery.chain',
    args: [],
    kwargs: { tasks: steps.map((s) => nodeSig(ctx, s, {}, frozen)) },
    options,
    subtask_type: 'chain',
    immutable: false,
  };
}

/** Header of a chord as Celery freezes it: a `celery.group` whose members know the body and their index. */
export function chordSig(
  ctx: SigContext,
  index: number,
  node: Extract<PlanNode, { kind: 'chord' }>,
  frozen = true,
): JsonObject {
  if (!frozen) {
    const members = node.header.map((h) => nodeSig(ctx, h, {}, false));
    const header = {
      task: 'celery.group',
      args: [],
      kwargs: { tasks: members },
      options: {},
      subtask_type: 'group',
      immutable: false,
    };
    const kwargs = { kwargs: {}, header, body: nodeSig(ctx, node.body, {}, false) };
    return { task: 'celery.chord', args: [], kwargs, options: {}, subtask_type: 'chord', immutable: false };
  }
  const gid = ctx.groupId(index);
  const body = nodeSig(ctx, node.body, {});
  const members = node.header.map((h, i) => nodeSig(ctx, h, { chord: body, group_index: i }));
  const header: JsonObject = {
    task: 'celery.group',
    args: [],
    kwargs: { tasks: members },
    options: { task_id: gid, chord: body, root_id: null, parent_id: null },
    subtask_type: 'group',
    immutable: false,
  };
  return {
    task: 'celery.chord',
    args: [],
    kwargs: { kwargs: {}, header, body },
    options: { task_id: gid },
    subtask_type: 'chord',
    immutable: false,
  };
}

/** Any plan node as a signature dict; `extra` goes into a task's (or the first level's) options. */
export function nodeSig(ctx: SigContext, index: number, extra: JsonObject, frozen = true): JsonObject {
  const node = nodeAt(ctx, index);
  switch (node.kind) {
    case 'task':
      return taskSig(ctx, taskOf(ctx, node), extra, frozen);
    case 'chain':
      return chainSig(ctx, node.steps, extra, frozen);
    case 'group': {
      const members = node.members.map((m, i) => nodeSig(ctx, m, frozen ? { group_index: i } : {}, frozen));
      return {
        task: 'celery.group',
        args: [],
        kwargs: { tasks: members },
        options: frozen
          ? { task_id: ctx.groupId(index), ...extra, root_id: null, parent_id: null }
          : { ...extra },
        subtask_type: 'group',
        immutable: false,
      };
    }
    case 'chord':
      return chordSig(ctx, index, node, frozen);
  }
}
