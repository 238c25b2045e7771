'use client';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  type EdgeChange,
  MarkerType,
  MiniMap,
  type NodeChange,
  type OnConnect,
  ReactFlow,
  type ReactFlowInstance,
  useNodesInitialized,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DrawEdgeKind, DrawRegion } from '@/lib/canvas/drawing';
import { drawingOf } from '@/lib/store/edits';
import { layoutDrawing, STACK_H, STACK_W } from '@/lib/store/layout';
import { useActions, useEditor, useEditorStore } from './EditorProvider';
import { FlowEdgeMemo } from './edges/FlowEdge';
import type { EditorFlowEdge, EditorFlowNode, EditorNodeData } from './flowTypes';
import { ContainerNodeMemo } from './nodes/ContainerNode';
import { FarZoomProvider } from './nodes/farZoom';
import { TaskNodeMemo } from './nodes/TaskNode';
import { StackNodeMemo } from './stacks/StackNode';
import { useStackedDrawing } from './stacks/useStackedDrawing';

const nodeTypes = { task: TaskNodeMemo, container: ContainerNodeMemo, stack: StackNodeMemo };
const edgeTypes = { flow: FlowEdgeMemo };
// Props passed to <ReactFlow> are module constants: new objects/arrays on each render would make React
// Flow update its store (and re-bind key listeners) on every drag frame.
const MULTI_SELECT_KEYS = ['Meta', 'Control'];
const MINIMAP_STYLE = { width: 168, height: 112 };
const MINIMAP_MIN_NODES = 16;
const ARIA_LABELS = { 'node.a11yDescription.default': 'Press Enter or Space to select, arrow keys to move.' };
export const DRAG_MIME = 'application/x-chordflow-item';

/** Where a drop lands: an edge (insert into the chain), a container (and chord region), or the pane. */
export function dropTargetAt(
  x: number,
  y: number,
): { edgeId?: string; parentId?: string; region?: DrawRegion } {
  for (const el of document.elementsFromPoint(x, y)) {
    const parent = el.closest('[data-drop-parent]');
    if (parent instanceof HTMLElement && el.closest('.react-flow__node')) {
      const region = (el.closest('[data-drop-region]') as HTMLElement | null)?.dataset.dropRegion as
        | DrawRegion
        | undefined;
      const target: { parentId: string; region?: DrawRegion } = { parentId: parent.dataset.dropParent! };
      if (region !== undefined) target.region = region;
      // A drop on a chord's frame (not a region) goes to its header.
      else if (parent.classList.contains('is-chord')) target.region = 'header';
      return target;
    }
    if (el.closest('.react-flow__node')) continue;
    const edge = el.closest('.react-flow__edge');
    if (edge instanceof SVGElement || edge instanceof HTMLElement) {
      const id = edge.getAttribute('data-id');
      if (id !== null) return { edgeId: id };
    }
  }
  return {};
}

function handleKind(handle: string | null | undefined): DrawEdgeKind {
  return handle === 'link' || handle === 'link_error' ? handle : 'flow';
}

/** The React Flow canvas: a view of the document tree in the store. */
export function Canvas({
  onInit,
}: {
  onInit?: (rf: ReactFlowInstance<EditorFlowNode, EditorFlowEdge>) => void;
}) {
  const store = useEditorStore();
  const actions = useActions();
  const canvas = useEditor((s) => s.doc.canvas);
  const positions = useEditor((s) => s.doc.positions);
  const selection = useEditor((s) => s.selection.ids);
  const highlight = useEditor((s) => s.ui.highlightEdges);
  const theme = useEditor((s) => s.ui.theme);
  const rf = useReactFlow<EditorFlowNode, EditorFlowEdge>();

  // Members of one shape in a big group or chord header are drawn as one stack (lib/canvas/stacks.ts).
  const full = useMemo(() => drawingOf(canvas), [canvas]);
  const stacked = useStackedDrawing(canvas, full);
  const drawing = stacked.drawing;
  const boxes = useMemo(
    () => layoutDrawing(canvas, drawing, positions, stacked.stacks),
    [canvas, drawing, positions, stacked.stacks],
  );

  // Reuse node objects whose inputs did not change (preferring React Flow's current copy, which carries
  // `measured`), so memoized node components skip rendering and React Flow re-adopts nothing.
  const local = useRef(new Map<string, EditorFlowNode>());
  const built = useMemo(() => {
    const sel = new Set(selection);
    const counts = new Map<string, number>();
    // Member counts from the whole drawing: a stacked container still holds all its members.
    for (const n of full.nodes)
      if (n.parentId !== undefined) counts.set(n.parentId, (counts.get(n.parentId) ?? 0) + 1);
    const nodes = drawing.nodes.map((dn) => {
      const box = boxes.get(dn.id) ?? { x: 0, y: 0, w: 200, h: 68 };
      const count = counts.get(dn.id) ?? 0;
      const prev = local.current.get(dn.id);
      const selected = sel.has(dn.id);
      if (
        prev !== undefined &&
        (prev.data.dn === dn ||
          (prev.data.dn.task === dn.task &&
            prev.data.dn.parentId === dn.parentId &&
            prev.data.dn.region === dn.region &&
            prev.data.dn.path.join('.') === dn.path.join('.'))) &&
        prev.data.count === count &&
        prev.position.x === box.x &&
        prev.position.y === box.y &&
        prev.width === box.w &&
        prev.height === box.h &&
        prev.data.box.barrierX === box.barrierX &&
        (prev.selected ?? false) === selected
      ) {
        return prev;
      }
      const data: EditorNodeData = { dn, box, count };
      const node: EditorFlowNode = {
        id: dn.id,
        type: dn.kind === 'task' ? 'task' : 'container',
        position: { x: box.x, y: box.y },
        data,
        width: box.w,
        height: box.h,
        selected,
        ariaLabel:
          dn.kind === 'task'
            ? `Task ${dn.task?.task ?? ''}${dn.task?.id ? ` (${dn.task.id})` : ''}`
            : `${dn.kind} container`,
        ...(dn.kind !== 'task' ? { style: { width: box.w, height: box.h }, zIndex: -1 } : {}),
        ...(dn.parentId !== undefined ? { parentId: dn.parentId, extent: 'parent' as const } : {}),
      };
      return node;
    });
    for (const { spec, range } of stacked.stacks) {
      const box = boxes.get(spec.id) ?? { x: 0, y: 0, w: STACK_W, h: STACK_H };
      const prev = local.current.get(spec.id);
      const selected = sel.has(spec.id);
      if (
        prev?.data.stack?.spec === spec &&
        prev.data.stack.range.from === range.from &&
        prev.data.stack.range.to === range.to &&
        prev.position.x === box.x &&
        prev.position.y === box.y &&
        (prev.selected ?? false) === selected
      ) {
        nodes.push(prev);
        continue;
      }
      const dn = {
        id: spec.id,
        kind: spec.owner,
        path: spec.members[0]?.path.slice(0, -2) ?? [],
        ...(spec.parentId !== undefined ? { parentId: spec.parentId } : {}),
        ...(spec.region !== undefined ? { region: spec.region } : {}),
      };
      nodes.push({
        id: spec.id,
        type: 'stack',
        position: { x: box.x, y: box.y },
        data: { dn, box, count: spec.members.length, stack: { spec, range } },
        width: box.w,
        height: box.h,
        selected,
        deletable: false,
        ariaLabel: `Stack of ${spec.members.length} ${spec.label} members`,
        ...(spec.parentId !== undefined ? { parentId: spec.parentId, extent: 'parent' as const } : {}),
      });
    }
    return nodes;
  }, [full, drawing, boxes, selection, stacked.stacks]);
  const index = useMemo(() => new Map(built.map((n, i) => [n.id, i])), [built]);

  const builtEdges = useMemo(() => {
    const hl = new Set(highlight);
    return drawing.edges.map<EditorFlowEdge>((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.kind === 'flow' ? 'out' : e.kind,
      targetHandle: 'in',
      type: 'flow',
      data: { kind: e.kind, highlight: hl.has(e.id) },
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
      ariaLabel: `${e.kind === 'flow' ? 'Result flows' : e.kind === 'link' ? 'Callback' : 'Errback'} from ${e.source} to ${e.target}`,
    }));
  }, [drawing, highlight]);

  const fitSeq = useEditor((s) => s.ui.fitSeq);
  const fitWanted = useRef(fitSeq);
  fitWanted.current = fitSeq;
  const fitDone = useRef(0);
  const [nodes, setNodes] = useState<EditorFlowNode[]>(built);
  const [edges, setEdges] = useState<EditorFlowEdge[]>(builtEdges);
  useEffect(() => {
    local.current = new Map(built.map((n) => [n.id, n]));
    setNodes(built);
    if (fitDone.current === fitWanted.current) return;
    fitDone.current = fitWanted.current;
    // A document was opened or imported: fit once React Flow has rendered and measured the new nodes.
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(() => void rf.fitView({ padding: 0.2, duration: 0, maxZoom: 1.1 }));
    });
    return () => cancelAnimationFrame(id);
  }, [built, rf]);
  useEffect(() => setEdges(builtEdges), [builtEdges]);

  const onNodesChange = useCallback(
    (changes: NodeChange<EditorFlowNode>[]) => {
      const applied = changes.filter((c) => c.type !== 'remove');
      setNodes((nds) => {
        const next = applyNodeChanges(applied, nds);
        // Remember React Flow's copies of the changed nodes (positions while dragging, `measured`).
        for (const c of applied) {
          if (!('id' in c)) continue;
          const i = index.get(c.id);
          const n = i === undefined ? undefined : next[i];
          if (n?.id === c.id) local.current.set(c.id, n);
        }
        return next;
      });
      if (changes.some((c) => c.type === 'select')) {
        // Selection lives in the store (not undoable); RF reports deltas, so fold them into the current ids.
        const ids = new Set(store.getState().selection.ids);
        for (const c of changes) if (c.type === 'select') c.selected ? ids.add(c.id) : ids.delete(c.id);
        actions.select([...ids]);
      }
    },
    [actions, store, index],
  );
  const onEdgesChange = useCallback((changes: EdgeChange<EditorFlowEdge>[]) => {
    setEdges((eds) =>
      applyEdgeChanges(
        changes.filter((c) => c.type === 'select'),
        eds,
      ),
    );
  }, []);

  const onNodeDragStop = useCallback(
    (_: unknown, __: EditorFlowNode, dragged: EditorFlowNode[]) => {
      const moves: Record<string, { x: number; y: number }> = {};
      for (const n of dragged) moves[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
      actions.movePositions(moves);
    },
    [actions],
  );

  const onConnect = useCallback<OnConnect>(
    (c) => actions.connect(c.source, c.target, handleKind(c.sourceHandle)),
    [actions],
  );

  const onPaneClick = useCallback(() => actions.select([]), [actions]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const raw = e.dataTransfer.getData(DRAG_MIME);
      if (raw === '') return;
      e.preventDefault();
      const item = JSON.parse(raw) as { kind: 'task' | 'group' | 'chord' | 'chain'; name?: string };
      const target = dropTargetAt(e.clientX, e.clientY);
      if (target.edgeId !== undefined && item.kind === 'task') {
        actions.insertOnEdge(target.edgeId, item.name!);
        return;
      }
      const level =
        target.parentId !== undefined
          ? { parentId: target.parentId, ...(target.region ? { region: target.region } : {}) }
          : {};
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const pos =
        target.parentId === undefined ? { x: Math.round(p.x - 100), y: Math.round(p.y - 34) } : undefined;
      if (item.kind === 'task') actions.addTask(item.name!, level, pos);
      else actions.addContainer(item.kind, level, pos);
    },
    [actions, rf],
  );

  // The stage changes size when the dock opens (a run is shown) or the live bar unfolds: if the whole graph
  // was in view before, fit it to the new size. A view zoomed into part of the graph is left alone.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let prev = { w: el.clientWidth, h: el.clientHeight };
    let frame = 0;
    let fitting = 0;
    const observer = new ResizeObserver(() => {
      const next = { w: el.clientWidth, h: el.clientHeight };
      const before = prev;
      prev = next;
      if (Math.abs(next.h - before.h) < 16 && Math.abs(next.w - before.w) < 16) return;
      const all = rf.getNodes();
      if (all.length === 0) return;
      const b = rf.getNodesBounds(all);
      const v = rf.getViewport();
      const inView = (w: number, h: number) =>
        b.x * v.zoom + v.x >= -1 &&
        b.y * v.zoom + v.y >= -1 &&
        (b.x + b.width) * v.zoom + v.x <= w + 1 &&
        (b.y + b.height) * v.zoom + v.y <= h + 1;
      // The whole graph was in view (an overview), or we are still fitting it after the previous resize:
      // keep it fitted to the new size.
      if (performance.now() > fitting && !inView(before.w, before.h)) return;
      fitting = performance.now() + 400;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => void rf.fitView({ padding: 0.2, duration: 150, maxZoom: 1.1 }));
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [rf]);

  // Every node measured: off-screen cards may skip rendering (editor.css `cf-measured`).
  const measured = useNodesInitialized();

  return (
    <div
      className={`cf-canvas${measured ? ' cf-measured' : ''}`}
      data-testid="canvas"
      ref={box}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <FarZoomProvider>
        <ReactFlow<EditorFlowNode, EditorFlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          {...(onInit ? { onInit } : {})}
          onPaneClick={onPaneClick}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          colorMode={theme}
          minZoom={0.05}
          maxZoom={2}
          ariaLabelConfig={ARIA_LABELS}
        >
          <Background gap={20} size={1} />
          {/* A small pipeline fits on screen: the minimap would only cover part of it. */}
          {canvas !== null && nodes.length > MINIMAP_MIN_NODES && (
            <MiniMap pannable zoomable ariaLabel="Minimap" nodeStrokeWidth={2} style={MINIMAP_STYLE} />
          )}
          <Controls showInteractive={false} aria-label="Zoom controls" />
        </ReactFlow>
      </FarZoomProvider>
    </div>
  );
}
