/**
 * celery-director's JSON shapes (seed-tutorial-and-director.md 2.4/2.5) built from our run record, plan
 * and run report: workflow objects and task objects with `previous` edges and director statuses.
 */
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
  periodic: false;
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
    periodic: false,
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

export interface TaskObject {
  id: string;
  created: string;
  updated: string;
  task: string;
  key: string;
  status: DirectorStatus;
  state: CeleryState;
  previous: string[];
  result: unknown;
  attempts: number;
  started: number | null;
  finished: number | null;
  is_hook: false;
  worker?: string;
}

function traceback(t: TaskReport): string {
  const e = t.error;
  if (!e) return '';
  return tracebackText(t.name, t.id, e);
}

export function taskObjects(run: RunRecord, plan: RunPlan | undefined, report: RunReport): TaskObject[] {
  const edges = plan ? previousEdges(plan) : new Map<string, string[]>();
  return report.tasks.map((t) => {
    const status = directorStatus(t.state, run.status, t.attempts);
    const at = (ms: number | undefined) => (ms === undefined ? null : ms);
    return {
      id: t.id,
      created: run.created,
      updated:
        t.finished_at !== undefined ? new Date(run.started_ms + t.finished_at).toISOString() : run.updated,
      task: t.id,
      key: t.name,
      status,
      state: t.state,
      previous: edges.get(t.id) ?? [],
      result:
        t.state === 'FAILURE' && t.error
          ? { exception: t.error.message, type: t.error.type, traceback: traceback(t) }
          : (t.result ?? null),
      attempts: t.attempts,
      started: at(t.started_at),
      finished: at(t.finished_at),
      is_hook: false,
      ...(t.worker !== undefined ? { worker: t.worker } : {}),
    };
  });
}
