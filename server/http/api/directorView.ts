/**
 * celery-director's JSON shapes (seed-tutorial-and-director.md 2.4/2.5) built from our run record, plan
 * and run report: workflow objects and task objects with `previous` edges and director statuses.
 */
import { createHash } from 'node:crypto';
import { isHookId, SUCCESS_HOOK_ID } from '../../../lib/canvas/directorRun';
import type { RunPlan } from '../../../lib/engine/types';
import type { CeleryState, RunReport, TaskReport } from '../../../lib/protocol/report';
import { tracebackText } from '../../../lib/protocol/traceback';
import type { DirectorStatus, RunRecord } from '../../runs/runStore';

export interface WorkflowObject {
  id: string;
  created: string;
  updated: string;
  name: string;
  project: string;
  fullname: string;
  status: DirectorStatus;
  periodic: boolean;
  payload?: unknown;
  comment?: string;
  /** `celery` when the run executes on the user's Celery cluster. */
  target?: 'celery';
}

export function workflowObject(run: RunRecord, withPayload = true): WorkflowObject {
  return {
    id: run.id,
    created: run.created,
    updated: run.updated,
    name: run.name,
    project: run.project,
    fullname: `${run.project}.${run.name}`,
    status: run.status,
    periodic: run.periodic === true,
    ...(withPayload ? { payload: run.payload } : {}),
    ...(run.comment !== undefined ? { comment: run.comment } : {}),
    ...(run.target === 'celery' ? { target: 'celery' } : {}),
  };
}

/**
 * Director status of a task from its Celery state. A task that never ran stays `pending` even when Celery
 * marked it FAILURE (a chord body after a header failure, the rest of a failed chain): director's
 * `on_failure` only runs for tasks that ran (seed-tutorial-and-director.md 1.6, 2.3). A task that never
 * ran in a canceled run is `canceled`.
 */
export function directorStatus(state: CeleryState, runStatus: DirectorStatus, attempts = 1): DirectorStatus {
  switch (state) {
    case 'SUCCESS':
      return 'success';
    case 'FAILURE':
      if (attempts === 0) return runStatus === 'canceled' ? 'canceled' : 'pending';
      return 'error';
    case 'REVOKED':
      return 'canceled';
    case 'STARTED':
    case 'RETRY':
      return runStatus === 'canceled' ? 'canceled' : 'progress';
    default:
      return runStatus === 'canceled' ? 'canceled' : 'pending';
  }
}

/** Director's `previous` edges: the ids of the tasks whose results a task follows (chain order). */
export function previousEdges(plan: RunPlan): Map<string, string[]> {
  const prev = new Map<string, string[]>();
  const ids = (indices: number[]) => indices.map((i) => plan.tasks[i]?.id).filter((x): x is string => !!x);
  // Returns [entry task indices, exit task indices] of a plan node, recording edges on the way.
  function walk(n: number, before: number[]): number[] {
    const node = plan.nodes[n];
    if (!node) return [];
    switch (node.kind) {
      case 'task': {
        const t = plan.tasks[node.task];
        if (t && !prev.has(t.id)) prev.set(t.id, ids(before));
        if (t) for (const l of t.links) walk(l, [node.task]);
        if (t) for (const e of t.errbacks) walk(e, [node.task]);
        return [node.task];
      }
      case 'chain': {
        let cur = before;
        for (const s of node.steps) cur = walk(s, cur);
        return cur;
      }
      case 'group':
        return node.members.flatMap((m) => walk(m, before));
      case 'chord': {
        const exits = node.header.flatMap((h) => walk(h, before));
        return walk(node.body, exits);
      }
    }
  }
  walk(plan.top, []);
  return prev;
}

/**
 * The id director shows for a task: unique per run like a Celery task id (a UUID), derived from the run
 * id and the task's Chordflow id so every read of the run gives the same one (name-based, UUID v5 layout).
 */
export function directorTaskId(runId: string, taskId: string): string {
  const h = createHash('sha1').update(`chordflow:${runId}\u0000${taskId}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export interface TaskObject {
  id: string;
  created: string;
  updated: string;
  task: string;
  /** What director's UI labels the node with: the canvas label when the node has one, else the task name. */
  key: string;
  /** The task's id in Chordflow (its canvas label or path; the same in every run, in reports and events). */
  path: string;
  status: DirectorStatus;
  state: CeleryState;
  previous: string[];
  result: unknown;
  attempts: number;
  started: number | null;
  finished: number | null;
  is_hook: boolean;
  worker?: string;
}

function traceback(t: TaskReport): string {
  const e = t.error;
  if (!e) return '';
  return tracebackText(t.name, t.id, e);
}

/** A canvas label (the node's `id`) when the task id is not a derived path (`task`, `task.tasks.0` …). */
function labelOf(taskId: string): string | undefined {
  return taskId === 'task' || taskId.startsWith('task.') || isHookId(taskId) ? undefined : taskId;
}

export function taskObjects(run: RunRecord, plan: RunPlan | undefined, report: RunReport): TaskObject[] {
  const edges = plan ? previousEdges(plan) : new Map<string, string[]>();
  const uid = (taskId: string) => directorTaskId(run.id, taskId);
  // Director runs the failure hook, then turns every task still pending into `canceled`.
  const failureHookRan = report.tasks.some(
    (t) => isHookId(t.id) && t.id !== SUCCESS_HOOK_ID && t.attempts > 0,
  );
  const out: TaskObject[] = [];
  for (const t of report.tasks) {
    const hook = isHookId(t.id);
    // The success hook's row exists from the start (director builds it); a failure hook only once it ran
    // (Celery copies the errback onto every chain step: only the one that fired is a real task).
    if (hook && t.id !== SUCCESS_HOOK_ID && t.attempts === 0 && t.state === 'PENDING') continue;
    let status = directorStatus(t.state, run.status, t.attempts);
    if (status === 'pending' && failureHookRan && !hook) status = 'canceled';
    const at = (ms: number | undefined) => (ms === undefined ? null : ms);
    const id = uid(t.id);
    out.push({
      id,
      created: run.created,
      updated:
        t.finished_at !== undefined ? new Date(run.started_ms + t.finished_at).toISOString() : run.updated,
      task: id,
      key: labelOf(t.id) ?? t.name,
      path: t.id,
      status,
      state: t.state,
      previous: hook ? [] : (edges.get(t.id) ?? []).filter((p) => !isHookId(p)).map(uid),
      result:
        t.state === 'FAILURE' && t.error
          ? { exception: t.error.message, type: t.error.type, traceback: traceback(t) }
          : (t.result ?? null),
      attempts: t.attempts,
      started: at(t.started_at),
      finished: at(t.finished_at),
      is_hook: hook,
      ...(t.worker !== undefined ? { worker: t.worker } : {}),
    });
  }
  return out;
}
