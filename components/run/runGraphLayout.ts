/**
 * A read-only layout of a run's canvas for the run page: the canvas as Celery runs it (normalized, so
 * paths and derived task ids match the run's events), chain steps left to right, group/chord-header
 * members top to bottom, chord bodies after their header. Callbacks and errbacks hang under their task.
 * Pure; `RunGraph` draws it with React Flow.
 */
import type { CanvasFile, CanvasNode } from '@/lib/canvas/model';
import { normalizeCanvas } from '@/lib/canvas/normalize';

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

export interface GraphEdge {
  source: string;
  target: string;
  kind: 'flow' | 'link' | 'link_error';
}

export interface RunGraphLayout {
  tasks: GraphTask[];
  edges: GraphEdge[];
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

export function layoutRunGraph(file: CanvasFile): RunGraphLayout {
  const tasks: GraphTask[] = [];
  const edges: GraphEdge[] = [];

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
      case 'group': {
        let r = row;
        let width = 1;
        const sources: string[] = [];
        const sinks: string[] = [];
        node.tasks.forEach((child, i) => {
          const b = place(child, join(path, 'tasks', i), col, r, origin, i === 0 ? chordId : undefined);
          sources.push(...b.sources);
          sinks.push(...b.sinks);
          r += b.height;
          width = Math.max(width, b.width);
        });
        return { sources, sinks, width, height: Math.max(1, r - row) };
      }
      case 'chord': {
        let r = row;
        let width = 1;
        const sources: string[] = [];
        const headerSinks: string[] = [];
        node.header.forEach((child, i) => {
          const b = place(child, join(path, 'header', i), col, r, origin, i === 0 ? chordId : undefined);
          sources.push(...b.sources);
          headerSinks.push(...b.sinks);
          r += b.height;
          width = Math.max(width, b.width);
        });
        const headerHeight = Math.max(1, r - row);
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

  const config = { allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header };
  place(normalizeCanvas(file.canvas, config), '', 0, 0, 'canvas');
  return { tasks, edges };
}
