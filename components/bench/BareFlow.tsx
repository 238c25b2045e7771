'use client';
import '@xyflow/react/dist/style.css';
import { type Edge, type Node, ReactFlow, useEdgesState, useNodesState } from '@xyflow/react';
import { useEffect, useState } from 'react';

/** n default nodes in rows of 10 (each row a chain of edges): the bench's baseline React Flow page. */
export function bareGraph(n: number): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / 10);
    const col = i % 10;
    nodes.push({ id: `n${i}`, position: { x: col * 256, y: row * 82 }, data: { label: `task ${i}` } });
    if (col > 0) edges.push({ id: `e${i}`, source: `n${i - 1}`, target: `n${i}` });
  }
  return { nodes, edges };
}

function Flow({ n }: { n: number }) {
  const [graph] = useState(() => bareGraph(n));
  const [nodes, , onNodesChange] = useNodesState(graph.nodes);
  const [edges, , onEdgesChange] = useEdgesState(graph.edges);
  return (
    <div style={{ position: 'fixed', inset: 0 }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        minZoom={0.05}
      />
    </div>
  );
}

/** Reads `?n=` once on the client (no Suspense boundary needed) and renders the bare flow. */
export function BareFlowPage() {
  const [n, setN] = useState<number | null>(null);
  useEffect(() => setN(Number(new URLSearchParams(window.location.search).get('n') ?? 1000)), []);
  return n === null ? null : <Flow n={n} />;
}
