/**
 * Retry-from-failed as a new run: the canvas as Celery runs it (normalized, so task paths match the run's
 * task descriptors), where every task that already succeeded is replaced by an immutable `identity` task
 * replaying its stored result. Downstream tasks therefore receive exactly the arguments they would have
 * received, and only failed / never-ran tasks execute their real code again. Pure.
 */
import type { CanvasFile, CanvasNode, Json, TaskNode } from '@/lib/canvas/model';
import { NestingError, normalizeFile } from '@/lib/canvas/normalize';
import { taskIdFor } from './runGraphLayout';

export interface FinalTaskState {
  task_id: string;
  name: string;
  /** `success` tasks are replayed; everything else runs again. */
  outcome: 'success' | 'failure' | 'not_run' | 'other';
  result?: Json;
}

export interface RetryPreview {
  file: CanvasFile;
  /** Tasks whose code runs again, with why. */
  rerun: Array<{ task_id: string; name: string; reason: string }>;
  /** Tasks whose stored result is replayed (no code runs). */
  reused: Array<{ task_id: string; name: string }>;
}

function join(path: string, ...parts: Array<string | number>): string {
  const tail = parts.join('.');
  return path === '' ? tail : `${path}.${tail}`;
}

function replay(taskId: string, result: Json): TaskNode {
  return {
    type: 'task',
    task: 'identity',
    args: [result],
    kwargs: {},
    immutable: true,
    id: taskId,
    options: {},
    link: [],
    link_error: [],
  };
}

/** Builds the retry canvas and its preview from the finished run's final task states. */
export function retryFromFailed(file: CanvasFile, finals: ReadonlyMap<string, FinalTaskState>): RetryPreview {
  const rerun: RetryPreview['rerun'] = [];
  const reused: RetryPreview['reused'] = [];

  const walk = (node: CanvasNode, path: string): CanvasNode => {
    const link = node.link.map((n, i) => walk(n, join(path, 'link', i)));
    const linkError = node.link_error.map((n, i) => walk(n, join(path, 'link_error', i)));
    switch (node.type) {
      case 'task': {
        const id = taskIdFor(node, path);
        const final = finals.get(id);
        if (final?.outcome === 'success') {
          reused.push({ task_id: id, name: node.task });
          return replay(id, final.result ?? null);
        }
        const reason =
          final === undefined || final.outcome === 'not_run'
            ? 'never ran'
            : final.outcome === 'failure'
              ? 'failed'
              : 'did not finish';
        // Pin the id so the new run's tasks line up with this run's.
        rerun.push({ task_id: id, name: node.task, reason });
        return { ...node, id, link, link_error: linkError };
      }
      case 'chain':
        return {
          ...node,
          tasks: node.tasks.map((n, i) => walk(n, join(path, 'tasks', i))),
          link,
          link_error: linkError,
        };
      case 'group':
        return {
          ...node,
          tasks: node.tasks.map((n, i) => walk(n, join(path, 'tasks', i))),
          link,
          link_error: linkError,
        };
      case 'chord':
        return {
          ...node,
          header: node.header.map((n, i) => walk(n, join(path, 'header', i))),
          body: walk(node.body, join(path, 'body')),
          link,
          link_error: linkError,
        };
    }
  };

  const normalized = normalizeFile(file);
  const canvas = walk(normalized, '');
  return { file: { ...file, canvas }, rerun, reused };
}

/**
 * `retryFromFailed`, or the sentence of the `NestingError` a canvas composed too deep for Celery raises
 * (the retry dialog shows it instead of the page failing to render).
 */
export function retryPreviewOf(
  file: CanvasFile,
  finals: ReadonlyMap<string, FinalTaskState>,
): RetryPreview | { problem: string } {
  try {
    return retryFromFailed(file, finals);
  } catch (err) {
    if (err instanceof NestingError) return { problem: err.message };
    throw err;
  }
}
