/**
 * The canvas tree <-> the editor's drawing (nodes, edges, container nodes).
 *
 * Tree -> drawing: every task is a node; a chain is a connected sequence of flow edges; groups and
 * chords are container nodes holding their members (a chord's children sit in a `header` or `body`
 * region, the body behind the barrier); `link` and `link_error` callbacks are sibling nodes reached by
 * edges of their own kind. A chain becomes a container only where a bare sequence would be ambiguous
 * (nested in a chain, fewer than two steps, or carrying callbacks); a root group of two or more members
 * without callbacks is drawn as loose parallel items. With these rules the conversion is lossless:
 * `drawingToTree(treeToDrawing(t))` equals `t`.
 *
 * Drawing -> tree: at each level (the root, a container, a chord region) the items and flow edges form
 * a DAG that is decomposed series-parallel: weakly connected components are parallel (a group, the
 * header's members, in order of first appearance), a connected DAG is split into series factors where
 * every sink of the prefix feeds every source of the rest. A DAG with no such decomposition, or a
 * cycle, cannot be a Celery canvas and is rejected with the offending edges named.
 */

import type {
  DrawEdge,
  DrawEdgeKind,
  Drawing,
  DrawNode,
  DrawRegion,
  TreeToDrawingOptions,
} from './drawingModel';
import { edgeId, pathKey } from './drawingModel';
import type { CanvasNode, ChainNode, NodePath } from './model';

export * from './drawingModel';
export { drawingToTree } from './drawingToTree';

function chainIsContainer(node: ChainNode, parentIsChain: boolean): boolean {
  return parentIsChain || node.tasks.length < 2 || node.link.length > 0 || node.link_error.length > 0;
}

/**
 * Draws a canvas tree.
 * @example treeToDrawing(chain(task('a'), task('b'))) // two nodes, one flow edge
 */
export function treeToDrawing(root: CanvasNode, options: TreeToDrawingOptions = {}): Drawing {
  const nodes: DrawNode[] = [];
  const edges: DrawEdge[] = [];
  const idFor = (node: CanvasNode, path: NodePath) => options.idOf?.(node, path) ?? `n:${pathKey(path)}`;
  const connect = (from: string[], to: string[], kind: DrawEdgeKind) => {
    for (const s of from)
      for (const t of to) edges.push({ id: edgeId(s, t, kind), source: s, target: t, kind });
  };
  const place = (n: DrawNode, parentId: string | undefined, region: DrawRegion | undefined) => {
    if (parentId !== undefined) n.parentId = parentId;
    if (region !== undefined) n.region = region;
    nodes.push(n);
  };

  /** Emits `node` at one level; returns the drawn ids a predecessor connects to and a successor leaves from. */
  function emit(
    node: CanvasNode,
    path: NodePath,
    parentId: string | undefined,
    region: DrawRegion | undefined,
    parentIsChain: boolean,
  ): { entries: string[]; exits: string[] } {
    if (node.type === 'chain' && !chainIsContainer(node, parentIsChain)) {
      let prev: string[] = [];
      let entries: string[] = [];
      node.tasks.forEach((step, i) => {
        const r = emit(step, [...path, 'tasks', i], parentId, region, true);
        if (i === 0) entries = r.entries;
        else connect(prev, r.entries, 'flow');
        prev = r.exits;
      });
      return { entries, exits: prev };
    }
    const id = idFor(node, path);
    if (node.type === 'task') {
      place({ id, kind: 'task', path, task: node }, parentId, region);
    } else {
      place({ id, kind: node.type, path }, parentId, region);
      if (node.type === 'group') {
        node.tasks.forEach((m, i) => {
          emit(m, [...path, 'tasks', i], id, undefined, false);
        });
      } else if (node.type === 'chord') {
        node.header.forEach((m, i) => {
          emit(m, [...path, 'header', i], id, 'header', false);
        });
        emit(node.body, [...path, 'body'], id, 'body', false);
      } else {
        let prev: string[] = [];
        node.tasks.forEach((step, i) => {
          const r = emit(step, [...path, 'tasks', i], id, undefined, true);
          if (i > 0) connect(prev, r.entries, 'flow');
          prev = r.exits;
        });
      }
    }
    for (const kind of ['link', 'link_error'] as const) {
      node[kind].forEach((cb, i) => {
        const r = emit(cb, [...path, kind, i], parentId, region, false);
        connect([id], r.entries, kind);
      });
    }
    return { entries: [id], exits: [id] };
  }

  const looseRoot =
    root.type === 'group' && root.tasks.length >= 2 && root.link.length === 0 && root.link_error.length === 0;
  if (looseRoot) {
    root.tasks.forEach((m, i) => {
      emit(m, ['tasks', i], undefined, undefined, false);
    });
  } else emit(root, [], undefined, undefined, false);
  return { nodes, edges };
}
