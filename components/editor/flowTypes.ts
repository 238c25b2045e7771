import type { Edge, Node } from '@xyflow/react';
import type { DrawEdgeKind, DrawNode } from '@/lib/canvas/drawing';
import type { StackRange, StackSpec } from '@/lib/canvas/stacks';
import type { Box } from '@/lib/store/layout';

export type EditorNodeData = {
  dn: DrawNode;
  box: Box;
  count: number;
  /** Set on a stacked node (members of one shape drawn once): the stack and its expanded range. */
  stack?: { spec: StackSpec; range: StackRange };
};
export type EditorFlowNode = Node<EditorNodeData>;
export type EditorEdgeData = { kind: DrawEdgeKind; highlight: boolean };
export type EditorFlowEdge = Edge<EditorEdgeData>;
