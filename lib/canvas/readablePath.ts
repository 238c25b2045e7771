/**
 * Where a node sits, in words a person reads: `tasks.1.header.0` → `step 2 › header 1`. Task ids the
 * planner derives from paths (`task.tasks.1.header.0`) and validation paths
 * (`canvas.tasks[1].header[0].options.max_retries`) are shown this way wherever the user wrote no label.
 */
import type { CanvasNode } from './model';

type Segment = { key: string; index?: number };

/** Splits a run path (`tasks.1.body`) or a problem path (`canvas.tasks[1].body.options`) into node steps. */
function segments(path: string): { steps: Segment[]; field: string } {
  const parts = path
    .replace(/^canvas\b\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  const steps: Segment[] = [];
  let i = 0;
  for (; i < parts.length; i += 1) {
    const key = parts[i] as string;
    if (key === 'body') {
      steps.push({ key });
      continue;
    }
    const next = parts[i + 1];
    if (['tasks', 'header', 'link', 'link_error'].includes(key) && next !== undefined && /^\d+$/.test(next)) {
      steps.push({ key, index: Number(next) });
      i += 1;
      continue;
    }
    break;
  }
  return { steps, field: parts.slice(i).join('.') };
}

function childOf(node: CanvasNode | undefined, s: Segment): CanvasNode | undefined {
  if (node === undefined) return undefined;
  if (s.key === 'body') return node.type === 'chord' ? node.body : undefined;
  const i = s.index ?? 0;
  if (s.key === 'tasks') return node.type === 'chain' || node.type === 'group' ? node.tasks[i] : undefined;
  if (s.key === 'header') return node.type === 'chord' ? node.header[i] : undefined;
  if (s.key === 'link') return node.link[i];
  if (s.key === 'link_error') return node.link_error[i];
  return undefined;
}

function word(parent: CanvasNode | undefined, s: Segment): string {
  const n = (s.index ?? 0) + 1;
  switch (s.key) {
    case 'body':
      return 'body';
    case 'header':
      return `header ${n}`;
    case 'link':
      return `callback ${n}`;
    case 'link_error':
      return `errback ${n}`;
    default:
      return parent?.type === 'chain' ? `step ${n}` : parent?.type === 'group' ? `member ${n}` : `item ${n}`;
  }
}

/**
 * A path in words. With the tree the path refers to, `tasks` steps read as chain steps or group
 * members; without it, as items. A trailing field (`options.max_retries`) is kept after a colon.
 */
export function readablePath(path: string, root?: CanvasNode): string {
  const { steps, field } = segments(path);
  const words: string[] = [];
  let node = root;
  for (const s of steps) {
    words.push(word(node, s));
    node = childOf(node, s);
  }
  const where = words.length === 0 ? 'the whole canvas' : words.join(' › ');
  return field === '' ? where : `${where}: ${field}`;
}

/** True when `taskId` is the id the planner derives from `path` (no label written). */
export function isDerivedTaskId(taskId: string, path: string): boolean {
  const base = path === '' ? 'task' : `task.${path}`;
  return taskId === base || new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`).test(taskId);
}

/** What to call a task beside its name: the label the user wrote, else where it sits. */
export function taskCaption(taskId: string, path: string, root?: CanvasNode): string {
  return isDerivedTaskId(taskId, path) ? readablePath(path, root) : taskId;
}
