'use client';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { Drawing } from '@/lib/canvas/drawing';
import type { Box, XY } from '@/lib/store/layout';

const LEVEL_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '20',
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  // Keep member order (group/header order) as drawn.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=44,left=18,bottom=18,right=18]',
};

/** The drawing as a nested ELK graph (containers are compound nodes; a chord's header feeds its body). */
export function toElkGraph(drawing: Drawing, boxes: ReadonlyMap<string, Box>): ElkNode {
  const kids = new Map<string, ElkNode[]>();
  const edges = new Map<string, ElkExtendedEdge[]>();
  const parentOf = new Map(drawing.nodes.map((n) => [n.id, n.parentId ?? 'root']));
  const byId = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: { ...LEVEL_OPTIONS, 'elk.padding': '[top=0,left=0,bottom=0,right=0]' },
  };
  byId.set('root', root);
  for (const n of drawing.nodes) {
    const box = boxes.get(n.id);
    const node: ElkNode =
      n.kind === 'task'
        ? { id: n.id, width: box?.w ?? 200, height: box?.h ?? 62 }
        : { id: n.id, layoutOptions: LEVEL_OPTIONS };
    byId.set(n.id, node);
    const p = n.parentId ?? 'root';
    const list = kids.get(p);
    if (list) list.push(node);
    else kids.set(p, [node]);
  }
  // Appends in place: spreading the list per edge was quadratic at thousands of nodes.
  const addEdge = (level: string, source: string, target: string) => {
    const edge = { id: `${source}->${target}`, sources: [source], targets: [target] };
    const list = edges.get(level);
    if (list) list.push(edge);
    else edges.set(level, [edge]);
  };
  for (const e of drawing.edges) addEdge(parentOf.get(e.source) ?? 'root', e.source, e.target);
  const hasOut = new Set(drawing.edges.map((e) => e.source));
  const hasIn = new Set(drawing.edges.map((e) => e.target));
  // Virtual edges from a chord's header ends to its body starts keep the body right of the barrier.
  // Members by container, made once: filtering every node per chord was quadratic (10,000 chords).
  const inContainer = new Map<string, Drawing['nodes']>();
  for (const n of drawing.nodes) {
    if (n.parentId === undefined) continue;
    const list = inContainer.get(n.parentId);
    if (list) list.push(n);
    else inContainer.set(n.parentId, [n]);
  }
  for (const c of drawing.nodes) {
    if (c.kind !== 'chord') continue;
    const inside = inContainer.get(c.id) ?? [];
    const header = inside.filter((n) => n.region === 'header' && !hasOut.has(n.id));
    const body = inside.filter((n) => n.region === 'body' && !hasIn.has(n.id));
    for (const h of header) for (const b of body) addEdge(c.id, h.id, b.id);
  }
  for (const [id, node] of byId) {
    const children = kids.get(id);
    if (children !== undefined) node.children = children;
    const own = edges.get(id);
    if (own !== undefined) node.edges = own;
    if (node.children === undefined && id !== 'root' && node.width === undefined) {
      node.width = 160;
      node.height = 80;
    }
  }
  return root;
}

/** Positions (relative to the parent container) from a laid-out ELK graph. */
export function positionsFromElk(graph: ElkNode): Record<string, XY> {
  const out: Record<string, XY> = {};
  const walk = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      out[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
      walk(c);
    }
  };
  walk(graph);
  return out;
}

let worker: Worker | null = null;
let seq = 0;
const pending = new Map<number, { resolve: (g: ElkNode) => void; reject: (e: Error) => void }>();

/** Lays out a graph in the ELK Web Worker (created on first use, so elkjs loads lazily). */
export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  if (worker === null) {
    worker = new Worker(new URL('./elk.worker.ts', import.meta.url));
    worker.onmessage = (e: MessageEvent<{ id: number; ok: boolean; graph?: ElkNode; message?: string }>) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      if (e.data.ok && e.data.graph) p?.resolve(e.data.graph);
      else p?.reject(new Error(e.data.message ?? 'layout failed'));
    };
  }
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ id, graph });
  });
}
