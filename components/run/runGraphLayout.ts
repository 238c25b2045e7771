/**
 * A read-only layout of a run's canvas for the run page: the canvas as Celery runs it (normalized, so
 * paths and derived task ids match the run's events), chain steps left to right, group/chord-header
 * members top to bottom, chord bodies after their header. Callbacks and errbacks hang under their task.
 * Pure; `RunGraph` draws it with React Flow.
 */
import type { CanvasFile, CanvasNode } from '@/lib/canvas/model';
import { normalizeFileOrProblem } from '@/lib/canvas/normalize';
import { clipRange, memberShape, STACK_MIN_MEMBERS, type StackRange, shapeLabel } from '@/lib/canvas/stacks';

export interface GraphTask {
  task_id: string;
  name: string;
  path: string;
  col: number;
  row: number;
  origin: 'canvas' | 'link' | 'link_error';
  /** Set on a chord body's first task: the chord's path (`chord.progress` `chord_id`). */
  chordId?: string;
}

/** Members of one shape drawn as one stacked node (lib/canvas/stacks.ts), with their task ids. */
export interface GraphStack {
  /** `stack:<path of the group or chord>`. */
  id: string;
  label: string;
  owner: 'group' | 'chord';
  col: number;
  row: number;
  /** Task ids of each member, in member order. */
  members: string[][];
  /** Members drawn as task nodes beside the stack. */
  range: StackRange;
}

/** Rows a stacked node takes on the run graph. */
export const STACK_ROWS = 2;

export interface GraphEdge {
  source: string;
  target: string;
  kind: 'flow' | 'link' | 'link_error';
}

export interface RunGraphLayout {
  tasks: GraphTask[];
  edges: GraphEdge[];
  stacks: GraphStack[];
  /** Why nothing is drawn: the canvas nests too deep for Celery's composition (`NestingError`). */
  problem?: string;
}

interface Block {
  sources: string[];
  sinks: string[];
  width: number;
  height: number;
}

function join(path: string, ...parts: Array<string | number>): string {
  const tail = parts.join('.');
  return path === '' ? tail : `${path}.${tail}`;
}

/** The task id the engine gives a task node (its `id` label, else derived from its path). */
export function taskIdFor(node: { id?: string }, path: string): string {
  return node.id ?? (path === '' ? 'task' : `task.${path}`);
}

/** Task ids of every task in a subtree (what the planner names them: label, else path). */
function taskIdsIn(node: CanvasNode, path: string, out: string[] = []): string[] {
  if (node.type === 'task') out.push(taskIdFor(node, path));
  if (node.type === 'chain' || node.type === 'group')
    node.tasks.forEach((c, i) => void taskIdsIn(c, join(path, 'tasks', i), out));
  if (node.type === 'chord') {
    node.header.forEach((c, i) => void taskIdsIn(c, join(path, 'header', i), out));
    taskIdsIn(node.body, join(path, 'body'), out);
  }
  node.link.forEach((c, i) => void taskIdsIn(c, join(path, 'link', i), out));
  node.link_error.forEach((c, i) => void taskIdsIn(c, join(path, 'link_error', i), out));
  return out;
}

function stackable(list: readonly CanvasNode[]): boolean {
  if (list.length < STACK_MIN_MEMBERS) return false;
  const key = memberShape(list[0]!);
  return list.every((m) => memberShape(m) === key);
}

/**
 * Lays a run's canvas out. A group or chord header of one shape with many members is one stacked node
 * (`stacks`); `expanded` (by stack id) draws a range of its members as tasks under it.
 */
export function layoutRunGraph(
  file: CanvasFile,
  expanded: Readonly<Record<string, StackRange>> = {},
): RunGraphLayout {
  const tasks: GraphTask[] = [];
  const edges: GraphEdge[] = [];
  const stacks: GraphStack[] = [];

  /** A member list: every member, or a stack node and its expanded range, top to bottom. */
  const column = (
    owner: 'group' | 'chord',
    list: readonly CanvasNode[],
    key: 'tasks' | 'header',
    path: string,
    col: number,
    row: number,
    origin: GraphTask['origin'],
    chordId: string | undefined,
  ): Block => {
    let r = row;
    let width = 1;
    const sources: string[] = [];
    const sinks: string[] = [];
    let indices = list.map((_, i) => i);
    if (stackable(list)) {
      const id = `stack:${path}`;
      const range = clipRange(expanded[id], list.length);
      stacks.push({
        id,
        label: shapeLabel(list[0]!),
        owner,
        col,
        row,
        members: list.map((m, i) => taskIdsIn(m, join(path, key, i))),
        range,
      });
      sources.push(id);
      sinks.push(id);
      r += STACK_ROWS;
      // A stacked node is wider than a task card: it takes two columns.
      width = 2;
      indices = indices.slice(range.from, range.to);
    }
    for (const i of indices) {
      const b = place(list[i]!, join(path, key, i), col, r, origin, i === 0 ? chordId : undefined);
      sources.push(...b.sources);
      sinks.push(...b.sinks);
      r += b.height;
      width = Math.max(width, b.width);
    }
    return { sources, sinks, width, height: Math.max(1, r - row) };
  };

  const place = (
    node: CanvasNode,
    path: string,
    col: number,
    row: number,
    origin: GraphTask['origin'],
    chordId?: string,
  ): Block => {
    switch (node.type) {
      case 'task': {
        const id = taskIdFor(node, path);
        tasks.push({
          task_id: id,
          name: node.task,
          path,
          col,
          row,
          origin,
          ...(chordId !== undefined ? { chordId } : {}),
        });
        let height = 1;
        const hang = (list: CanvasNode[], key: 'link' | 'link_error') => {
          list.forEach((cb, i) => {
            const b = place(cb, join(path, key, i), col, row + height, key);
            for (const s of b.sources) edges.push({ source: id, target: s, kind: key });
            height += b.height;
          });
        };
        hang(node.link, 'link');
        hang(node.link_error, 'link_error');
        return { sources: [id], sinks: [id], width: 1, height };
      }
      case 'chain': {
        let c = col;
        let height = 1;
        let prev: Block | null = null;
        let first: Block | null = null;
        node.tasks.forEach((child, i) => {
          const b = place(child, join(path, 'tasks', i), c, row, origin, i === 0 ? chordId : undefined);
          if (prev)
            for (const s of prev.sinks)
              for (const t of b.sources) edges.push({ source: s, target: t, kind: 'flow' });
          first ??= b;
          prev = b;
          c += b.width;
          height = Math.max(height, b.height);
        });
        const last = prev as Block | null;
        return {
          sources: first ? (first as Block).sources : [],
          sinks: last ? last.sinks : [],
          width: Math.max(1, c - col),
          height,
        };
      }
      case 'group':
        return column('group', node.tasks, 'tasks', path, col, row, origin, chordId);
      case 'chord': {
        const head = column('chord', node.header, 'header', path, col, row, origin, chordId);
        const sources = head.sources;
        const headerSinks = head.sinks;
        const width = head.width;
        const headerHeight = head.height;
        const bodyRow = row + Math.floor((headerHeight - 1) / 2);
        const body = place(node.body, join(path, 'body'), col + width, bodyRow, origin, path);
        for (const s of headerSinks)
          for (const t of body.sources) edges.push({ source: s, target: t, kind: 'flow' });
        return {
          sources: sources.length > 0 ? sources : body.sources,
          sinks: body.sinks,
          width: width + body.width,
          height: Math.max(headerHeight, bodyRow - row + body.height),
        };
      }
    }
  };

  const normalized = normalizeFileOrProblem(file);
  if (normalized.problem !== undefined) return { tasks, edges, stacks, problem: normalized.problem };
  place(normalized.root, '', 0, 0, 'canvas');
  return { tasks, edges, stacks };
}
