/**
 * Types of the editor's drawing (nodes, edges, container nodes) and the keys that tie it to the canvas tree.
 */
import type { CanvasNode, NodePath, TaskNode } from './model';

export type DrawKind = 'task' | 'group' | 'chord' | 'chain';
export type DrawRegion = 'header' | 'body';
export type DrawEdgeKind = 'flow' | 'link' | 'link_error';

/** One drawn node: a task, or a container (group, chord, chain) that holds other drawn nodes. */
export interface DrawNode {
  id: string;
  kind: DrawKind;
  /** The container this node sits in; absent at the root level. */
  parentId?: string;
  /** Inside a chord: which side of the barrier. */
  region?: DrawRegion;
  /** Where the node is in the tree it was drawn from (`[]` = root). */
  path: NodePath;
  /** For task nodes: the signature (its `link`/`link_error` are redrawn as edges and rebuilt from them). */
  task?: TaskNode;
}

export interface DrawEdge {
  id: string;
  source: string;
  target: string;
  kind: DrawEdgeKind;
}

export interface Drawing {
  nodes: DrawNode[];
  edges: DrawEdge[];
}

export interface TreeToDrawingOptions {
  /** Drawn id of a tree node; defaults to `pathKey(path)` prefixed with `n:`. */
  idOf?: (node: CanvasNode, path: NodePath) => string | undefined;
}

export interface DrawingToTreeOptions {
  /** Copy each drawn node's id onto the rebuilt tree node as a `uid` property (editor identity). */
  keepIds?: boolean;
}

export type DrawingResult =
  | { ok: true; tree: CanvasNode }
  | { ok: false; message: string; edges: DrawEdge[]; nodeIds: string[] };

/** The path as the dotted key used by run events (`tasks.1.header.0`; `''` for the root). */
export function pathKey(path: NodePath): string {
  return path.join('.');
}

/** The editor identity stored on a tree node, when it has one. */
export function uidOf(node: CanvasNode): string | undefined {
  const uid = (node as CanvasNode & { uid?: unknown }).uid;
  return typeof uid === 'string' ? uid : undefined;
}

/** The id of a flow/link edge between two drawn nodes. */
export function edgeId(source: string, target: string, kind: DrawEdgeKind): string {
  return `${kind}:${source}->${target}`;
}
