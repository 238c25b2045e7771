import type { Edge, Node } from '@xyflow/react';
import type { DrawEdgeKind, DrawNode } from '@/lib/canvas/drawing';
import type { Box } from '@/lib/store/layout';

export type EditorNodeData = { dn: DrawNode; box: Box; count: number };
export type EditorFlowNode = Node<EditorNodeData>;
export type EditorEdgeData = { kind: DrawEdgeKind; highlight: boolean };
export type EditorFlowEdge = Edge<EditorEdgeData>;
