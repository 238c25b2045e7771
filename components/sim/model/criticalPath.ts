/**
 * The critical path of a run, read from its events: the chain of tasks whose completions gated the
 * last one. A task is enabled by the task whose final event immediately precedes its first `task.queued`
 * in the trace (the core dispatches continuations right after the finishing task's event; a chord body
 * is enabled by the header member that finished last). Works for simulated and live runs alike.
 */
import type { RunEvent } from '../../../lib/protocol/events';

export interface CriticalPath {
  /** Task ids from the first task to the last one to finish. */
  tasks: string[];
  /** Total duration covered (first start → last finish), ms. */
  span_ms: number;
}

/** Computes the critical path; empty when no task finished. */
export function criticalPath(events: readonly RunEvent[]): CriticalPath {
  const enabler = new Map<string, string | null>();
  const firstStart = new Map<string, number>();
  let lastFinished: string | null = null;
  let lastFinishAt = -1;
  let lastFinishedForEnable: string | null = null;
  for (const event of events) {
    switch (event.type) {
      case 'task.queued':
        if (!enabler.has(event.task_id)) enabler.set(event.task_id, lastFinishedForEnable);
        break;
      case 'task.started':
        if (!firstStart.has(event.task_id)) firstStart.set(event.task_id, event.at);
        break;
      case 'task.succeeded':
      case 'task.failed':
        if (event.type === 'task.failed' && event.marked) break;
        lastFinishedForEnable = event.task_id;
        if (event.at >= lastFinishAt) {
          lastFinishAt = event.at;
          lastFinished = event.task_id;
        }
        break;
      default:
        break;
    }
  }
  const tasks: string[] = [];
  const seen = new Set<string>();
  let cursor = lastFinished;
  while (cursor && !seen.has(cursor)) {
    seen.add(cursor);
    tasks.unshift(cursor);
    cursor = enabler.get(cursor) ?? null;
  }
  const first = tasks[0];
  const start = first === undefined ? 0 : (firstStart.get(first) ?? 0);
  return { tasks, span_ms: lastFinished ? lastFinishAt - start : 0 };
}
