/**
 * Planner helpers on the normalized tree: chain steps after a group-ending step (see `joinAfterGroups`)
 * and canvas paths.
 */
import type { CanvasNode } from '../canvas/model';

/** True when the node's value is a group's (a group, or a chain/chord ending in one). */
function endsInGroup(node: CanvasNode): boolean {
  if (node.type === 'group') return true;
  if (node.type === 'chord') return endsInGroup(node.body);
  if (node.type === 'chain') {
    const last = node.tasks[node.tasks.length - 1];
    return last !== undefined && endsInGroup(last);
  }
  return false;
}

/** Appends `rest` after the group that ends `node`: that group becomes a chord with `rest` as body. */
function appendAfterGroup(node: CanvasNode, rest: CanvasNode[]): CanvasNode {
  const tail: CanvasNode =
    rest.length === 1 ? (rest[0] as CanvasNode) : { type: 'chain', tasks: rest, link: [], link_error: [] };
  switch (node.type) {
    case 'group':
      return { type: 'chord', header: node.tasks, body: tail, link: node.link, link_error: node.link_error };
    case 'chord':
      return { ...node, body: appendAfterGroup(node.body, rest) };
    case 'chain': {
      const tasks = [...node.tasks];
      tasks[tasks.length - 1] = appendAfterGroup(tasks[tasks.length - 1] as CanvasNode, rest);
      return { ...node, tasks };
    }
    case 'task':
      return node;
  }
}

/**
 * Celery upgrades a group followed by anything in a chain to a chord. Composition can still leave a
 * chord whose body ends in a group before more steps (`chord | chain`); the rest then runs after the
 * whole group, as the body of that group turned chord (the sane reading; see CONTEXT.md).
 */
export function joinAfterGroups(steps: CanvasNode[]): CanvasNode[] {
  const i = steps.findIndex((step, k) => k < steps.length - 1 && endsInGroup(step));
  if (i < 0) return steps;
  return [...steps.slice(0, i), appendAfterGroup(steps[i] as CanvasNode, steps.slice(i + 1))];
}

/** The canvas path of a child: `path.part[.index]`. */
export function join(path: string, part: string, index?: number): string {
  if (path === '') return index === undefined ? part : `${part}.${index}`;
  // One concatenation with the (short) tail: fewer string pieces kept per task.
  const tail = index === undefined ? `.${part}` : `.${part}.${index}`;
  return `${path}${tail}`;
}
