/**
 * Document edits the simulation panel makes without touching the user's document: per-node fault
 * injection (a scenario of one's own) and a retry policy override (the "what if" variant). Both return a
 * new `CanvasFile`; the original is never mutated.
 */
import type { CanvasFile, CanvasNode, RetryOptions, SimModel, TaskNode } from '../../../lib/canvas/model';
import { readablePath } from '../../../lib/canvas/readablePath';

/** Canvas path as events carry it (`tasks.1.header.0`); `''` is the root. */
export type PathKey = string;

/** Calls `visit` for every task node with its path key (callbacks and errbacks included). */
export function forEachTask(
  node: CanvasNode,
  visit: (task: TaskNode, path: PathKey) => void,
  path: PathKey = '',
): void {
  const join = (...parts: Array<string | number>) => [path, ...parts].filter((x) => x !== '').join('.');
  if (node.type === 'task') visit(node, path);
  else if (node.type === 'chain' || node.type === 'group')
    node.tasks.forEach((child, i) => {
      forEachTask(child, visit, join('tasks', i));
    });
  else {
    node.header.forEach((child, i) => {
      forEachTask(child, visit, join('header', i));
    });
    forEachTask(node.body, visit, join('body'));
  }
  node.link.forEach((child, i) => {
    forEachTask(child, visit, join('link', i));
  });
  node.link_error.forEach((child, i) => {
    forEachTask(child, visit, join('link_error', i));
  });
}

function mapTasks(
  node: CanvasNode,
  fn: (task: TaskNode, path: PathKey) => TaskNode,
  path: PathKey = '',
): CanvasNode {
  const join = (...parts: Array<string | number>) => [path, ...parts].filter((x) => x !== '').join('.');
  const link = node.link.map((child, i) => mapTasks(child, fn, join('link', i)));
  const link_error = node.link_error.map((child, i) => mapTasks(child, fn, join('link_error', i)));
  switch (node.type) {
    case 'task':
      return { ...fn(node, path), link, link_error };
    case 'chain':
    case 'group':
      return {
        ...node,
        tasks: node.tasks.map((child, i) => mapTasks(child, fn, join('tasks', i))),
        link,
        link_error,
      };
    case 'chord':
      return {
        ...node,
        header: node.header.map((child, i) => mapTasks(child, fn, join('header', i))),
        body: mapTasks(node.body, fn, join('body')),
        link,
        link_error,
      };
  }
}

/** Replaces the `sim` model of the tasks named in `faults` (a fault = a whole `SimModel`). */
export function withFaults(file: CanvasFile, faults: Readonly<Record<PathKey, SimModel>>): CanvasFile {
  if (Object.keys(faults).length === 0) return file;
  return {
    ...file,
    canvas: mapTasks(file.canvas, (task, path) => {
      const fault = faults[path];
      return fault ? { ...task, sim: { ...task.sim, ...fault } } : task;
    }),
  };
}

/** A retry policy override: only the fields set are changed. `paths` limits it to some tasks. */
export interface PolicyOverride {
  options: RetryOptions;
  /** Task paths it applies to; undefined = every task. */
  paths?: PathKey[];
}

/** The file with the override applied to the chosen tasks' node options. */
export function withRetryPolicy(file: CanvasFile, override: PolicyOverride): CanvasFile {
  const only = override.paths ? new Set(override.paths) : null;
  return {
    ...file,
    canvas: mapTasks(file.canvas, (task, path) =>
      only && !only.has(path) ? task : { ...task, options: { ...task.options, ...override.options } },
    ),
  };
}

export interface TaskChoice {
  path: PathKey;
  task: string;
  label: string;
  options: TaskNode['options'];
}

/** Task paths and labels of a file (pickers). */
export function listTasks(file: CanvasFile): TaskChoice[] {
  const out: TaskChoice[] = [];
  forEachTask(file.canvas, (task, path) =>
    out.push({
      path,
      task: task.task,
      label: task.id ?? `${task.task} (${readablePath(path, file.canvas)})`,
      options: task.options,
    }),
  );
  return out;
}
