/**
 * Celery's `.set(**options)` on a chain, group or chord, as it acts when the canvas is applied
 * (celery/canvas.py, 5.2 and 5.6 alike): a group passes its options to every member's `apply_async`, a
 * chord to every header member and to its body, a chain only to the first message it sends (its first
 * step; later steps are sent by workers from their own signatures). Options given this way override the
 * member's own (`Signature._merge`). Runs on the normalized tree, where Celery's composition has already
 * dropped what it drops (a group's options when it becomes a chord header, a spliced chain's options).
 */
import type { CanvasNode, TaskOptions } from './model';

function withOptions(
  own: TaskOptions | undefined,
  inherited: TaskOptions | undefined,
): TaskOptions | undefined {
  if (inherited === undefined) return own;
  if (own === undefined) return inherited;
  return { ...own, ...inherited };
}

/** `nodes` with `f` applied; the same array when nothing changed (big canvases are not copied). */
function mapSame(
  nodes: CanvasNode[],
  f: (n: CanvasNode, i: number) => CanvasNode,
  inherited?: TaskOptions,
): CanvasNode[] {
  let out: CanvasNode[] | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as CanvasNode;
    // Most members of a big canvas are plain tasks with nothing to receive: no call.
    if (inherited === undefined && n.type === 'task' && n.link.length === 0 && n.link_error.length === 0)
      continue;
    const m = f(n, i);
    if (m !== n) {
      out ??= nodes.slice();
      out[i] = m;
    }
  }
  return out ?? nodes;
}

/**
 * Moves every chain/group/chord `options` onto the tasks they reach when applied (see above); the
 * containers of the result carry none. Links are separate canvases applied with their own options.
 */
export function applySetOptions(node: CanvasNode, inherited?: TaskOptions): CanvasNode {
  if (node.type === 'task') {
    const links = ownLinks(node);
    if (inherited === undefined) return links === node ? node : links;
    return { ...links, options: { ...node.options, ...inherited } };
  }
  const eff = withOptions(node.options, inherited);
  const base = ownLinks(node);
  let out: CanvasNode;
  switch (base.type) {
    case 'group': {
      const tasks = mapSame(base.tasks, (t) => applySetOptions(t, eff), eff);
      out = tasks === base.tasks ? base : { ...base, tasks };
      break;
    }
    case 'chord': {
      const header = mapSame(base.header, (t) => applySetOptions(t, eff), eff);
      const body = applySetOptions(base.body, eff);
      out = header === base.header && body === base.body ? base : { ...base, header, body };
      break;
    }
    case 'chain': {
      // The first step receives the chain's options; the others only their own containers' options.
      let tasks = mapSame(base.tasks, (t, i) => (i === 0 ? t : applySetOptions(t)));
      const first = base.tasks[0];
      if (first !== undefined) {
        const applied = applySetOptions(first, eff);
        if (applied !== first) {
          if (tasks === base.tasks) tasks = tasks.slice();
          tasks[0] = applied;
        }
      }
      out = tasks === base.tasks ? base : { ...base, tasks };
      break;
    }
    default:
      out = base;
  }
  if (out.options === undefined) return out;
  const { options: _applied, ...rest } = out;
  return rest as CanvasNode;
}

/** The node with container options applied inside its own callbacks and errbacks. */
function ownLinks<T extends CanvasNode>(node: T): T {
  if (node.link.length === 0 && node.link_error.length === 0) return node;
  const link = mapSame(node.link, (n) => applySetOptions(n));
  const link_error = mapSame(node.link_error, (n) => applySetOptions(n));
  return link === node.link && link_error === node.link_error ? node : { ...node, link, link_error };
}
