/**
 * Writes the shown run into the editor store's `sim` (or `live`) slice, keyed the way editor nodes know
 * themselves: by the *written* path key of the drawn node (`tasks.1.tasks.0`) and by Celery task id.
 * Unchanged entries keep their object identity so only nodes whose state changed re-render.
 */
import type { CanvasNode } from '../../../lib/canvas/model';
import type { NodeRunStatus as EditorNodeStatus, RunStatusSlice } from '../../../lib/store/types';
import type { RunPathMap } from './pathMap';
import { headerFailures, type RunStateAt, type TaskRunState } from './runState';

/** Written path key of every node carrying a uid. */
export function writtenPathsByUid(
  node: CanvasNode,
  path = '',
  out = new Map<string, string>(),
): Map<string, string> {
  const uid = (node as CanvasNode & { uid?: unknown }).uid;
  if (typeof uid === 'string') out.set(uid, path);
  const at = (...parts: Array<string | number>) => [path, ...parts].filter((x) => x !== '').join('.');
  if (node.type === 'chain' || node.type === 'group')
    node.tasks.forEach((c, i) => void writtenPathsByUid(c, at('tasks', i), out));
  if (node.type === 'chord') {
    node.header.forEach((c, i) => void writtenPathsByUid(c, at('header', i), out));
    writtenPathsByUid(node.body, at('body'), out);
  }
  node.link.forEach((c, i) => void writtenPathsByUid(c, at('link', i), out));
  node.link_error.forEach((c, i) => void writtenPathsByUid(c, at('link_error', i), out));
  return out;
}

interface KeyPairs {
  /** [written path key, run path] of every mapped task node. */
  tasks: Array<[string, string]>;
  /** [written path key, chord run path] of every container mapped to a chord. */
  chords: Array<[string, string]>;
}

const pairCache = new WeakMap<RunPathMap, WeakMap<CanvasNode, KeyPairs>>();

/** Written key ↔ run path pairs, computed once per (path map, document) and reused every frame. */
function keyPairs(canvas: CanvasNode, pathMap: RunPathMap): KeyPairs {
  let byCanvas = pairCache.get(pathMap);
  if (!byCanvas) {
    byCanvas = new WeakMap();
    pairCache.set(pathMap, byCanvas);
  }
  const cached = byCanvas.get(canvas);
  if (cached) return cached;
  const written = writtenPathsByUid(canvas);
  const pairs: KeyPairs = { tasks: [], chords: [] };
  for (const [uid, runPaths] of pathMap.taskPaths) {
    const key = written.get(uid);
    if (key !== undefined && runPaths[0] !== undefined) pairs.tasks.push([key, runPaths[0]]);
  }
  for (const [uid, chordPath] of pathMap.chordPaths) {
    const key = written.get(uid);
    if (key !== undefined) pairs.chords.push([key, chordPath]);
  }
  byCanvas.set(canvas, pairs);
  return pairs;
}

function toEditorStatus(task: TaskRunState, t: number): EditorNodeStatus {
  const status: EditorNodeStatus = {
    state: task.status === 'queued' ? 'QUEUED' : task.status === 'not_run' ? 'PENDING' : task.celery,
  };
  if (task.attempt > 0) status.attempt = task.attempt;
  if (task.status === 'retry_wait' && task.retryAt !== undefined)
    status.countdown_ms = Math.max(0, task.retryAt - t);
  if (task.status === 'upstream_failed' || task.status === 'not_run') status.upstream_failed = true;
  return status;
}

function same(a: EditorNodeStatus | undefined, b: EditorNodeStatus): boolean {
  return (
    a !== undefined &&
    a.state === b.state &&
    a.attempt === b.attempt &&
    a.countdown_ms === b.countdown_ms &&
    a.upstream_failed === b.upstream_failed &&
    a.progress?.done === b.progress?.done &&
    a.progress?.total === b.progress?.total &&
    a.progress?.failed === b.progress?.failed
  );
}

/**
 * The editor slice for the run state at its instant. `canvas` is the editor's written tree (with uids)
 * and `pathMap` the run path map of the same tree.
 */
export function toRunStatusSlice(
  state: RunStateAt,
  canvas: CanvasNode | null,
  pathMap: RunPathMap | undefined,
  prev: RunStatusSlice | undefined,
): RunStatusSlice {
  const byTaskId = new Map<string, EditorNodeStatus>();
  const byPath: Record<string, EditorNodeStatus> = {};
  const keep = (old: EditorNodeStatus | undefined, next: EditorNodeStatus) =>
    same(old, next) ? (old as EditorNodeStatus) : next;
  for (const task of state.tasks.values())
    byTaskId.set(task.task_id, keep(prev?.byTaskId.get(task.task_id), toEditorStatus(task, state.t)));
  if (canvas && pathMap) {
    const { tasks, chords } = keyPairs(canvas, pathMap);
    const failures = chords.length > 0 ? headerFailures(state) : undefined;
    for (const [key, runPath] of tasks) {
      const id = state.byPath.get(runPath)?.[0];
      const task = id === undefined ? undefined : state.tasks.get(id);
      if (!task) continue;
      byPath[key] = keep(prev?.byPath[key], toEditorStatus(task, state.t));
    }
    for (const [key, chordPath] of chords) {
      const progress = state.chords.get(chordPath);
      if (!progress) continue;
      const done = progress.done >= progress.total;
      const failed = failures?.get(chordPath) ?? 0;
      byPath[key] = keep(prev?.byPath[key], {
        state: failed > 0 ? 'FAILURE' : done ? 'SUCCESS' : 'STARTED',
        progress: { done: progress.done, total: progress.total, ...(failed > 0 ? { failed } : {}) },
      });
    }
  }
  return { byTaskId, byPath, active: true };
}
