'use client';
/**
 * The run's canvas, read-only, with live state per task: status colour, attempt n, retry countdown,
 * chord barrier progress (k of n), and a flag where the actual run diverges from the simulator's
 * prediction. Click a task to open its drawer.
 */
import {
  Background,
  type Edge,
  Handle,
  type Node,
  type NodeChange,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useMemo, useRef, useState } from 'react';
import type { CanvasFile } from '@/lib/canvas/model';
import { normalizeFileOrProblem } from '@/lib/canvas/normalize';
import { taskCaption } from '@/lib/canvas/readablePath';
import type { StackRange } from '@/lib/canvas/stacks';
import { summarizeStack, taskSpans } from '../editor/stacks/stackSummary';
import { headerFailures, type RunStateAt, type TaskRunState } from '../sim/model/runState';
import type { Timeline } from '../sim/model/timeline';
import { STATUS_COLOR, STATUS_LABEL } from '../sim/statusStyle';
import { type RunStackData, RunStackNode } from './RunStackNode';
import { layoutRunGraph } from './runGraphLayout';

export interface RunGraphProps {
  file: CanvasFile;
  state: RunStateAt;
  /** Task ids whose actual outcome differs from the prediction, with why. */
  divergent?: ReadonlyMap<string, string>;
  selectedTaskId?: string | null;
  onSelect?(taskId: string): void;
  /** Display names by task id, over the canvas's (replayed tasks). */
  names?: ReadonlyMap<string, string>;
  /** The run's attempts (stacked nodes' duration histograms). */
  timeline?: Timeline;
}

interface TaskNodeData extends Record<string, unknown> {
  taskId: string;
  name: string;
  /** The label the user wrote, else where the task sits (`step 2 › header 1`). */
  caption: string;
  task?: TaskRunState;
  chord?: { done: number; total: number; failed: number };
  divergence?: string;
  selected: boolean;
}

const COL = 230;
const ROW = 92;

function attemptText(task: TaskRunState | undefined): string {
  if (!task || task.attempt === 0) return '';
  return `attempt ${task.attempt}`;
}

const TaskBox = memo(function TaskBox({ data }: NodeProps<Node<TaskNodeData>>) {
  const status = data.task?.status ?? 'pending';
  const color = STATUS_COLOR[status];
  return (
    <div
      data-testid="run-node"
      data-task-id={data.taskId}
      data-status={status}
      data-attempt={data.task?.attempt ?? 0}
      title={data.divergence ?? ''}
      style={{
        width: 190,
        borderRadius: 8,
        borderStyle: 'solid',
        borderColor: data.selected ? '#1c2230' : color,
        borderWidth: '2px 2px 2px 8px',
        background: 'var(--bg, #fff)',
        padding: '6px 8px',
        fontSize: 12,
        boxShadow: data.divergence ? '0 0 0 3px rgba(211, 69, 60, 0.35)' : undefined,
      }}
    >
      <Handle type="target" position={Position.Left} style={{ opacity: 0 }} />
      <div style={{ fontWeight: 600, display: 'flex', justifyContent: 'space-between', gap: 6 }}>
        <span>{data.name}</span>
        {data.divergence ? (
          <span data-testid="divergence-flag" style={{ color: '#d3453c' }} title={data.divergence}>
            ≠ predicted
          </span>
        ) : null}
      </div>
      <div style={{ color, fontWeight: 600 }} data-testid="run-node-status">
        {STATUS_LABEL[status]}
        {data.task && data.task.attempt > 0 ? (
          <span data-testid="run-node-attempt" style={{ color: 'inherit', fontWeight: 400 }}>
            {' '}
            · {attemptText(data.task)}
          </span>
        ) : null}
      </div>
      {data.chord ? (
        <div data-testid="run-node-chord" data-failed={data.chord.failed} style={{ opacity: 0.8 }}>
          barrier {data.chord.done} of {data.chord.total}
          {data.chord.failed > 0 ? (
            <span style={{ color: STATUS_COLOR.failure, fontWeight: 600 }}>
              {' '}
              · {data.chord.failed} failed
            </span>
          ) : null}
        </div>
      ) : null}
      <div style={{ opacity: 0.65, fontSize: 10 }} title={data.taskId} data-testid="run-node-caption">
        {data.caption}
      </div>
      <Handle type="source" position={Position.Right} style={{ opacity: 0 }} />
    </div>
  );
});

const nodeTypes = { runTask: TaskBox, runStack: RunStackNode };

export function RunGraph({
  file,
  state,
  divergent,
  selectedTaskId,
  onSelect,
  timeline,
  names,
}: RunGraphProps) {
  const [expanded, setExpanded] = useState<Record<string, StackRange>>({});
  const onRange = useCallback((id: string, range: StackRange | null) => {
    setExpanded((e) => {
      const next = { ...e };
      if (range === null) delete next[id];
      else next[id] = range;
      return next;
    });
  }, []);
  // Members of one shape in a big group or chord header are one stacked node (lib/canvas/stacks.ts).
  const layout = useMemo(() => layoutRunGraph(file, expanded), [file, expanded]);
  const spans = useMemo(() => (timeline ? taskSpans(timeline) : undefined), [timeline]);
  const stackNodes = useMemo<Node<RunStackData>[]>(
    () =>
      layout.stacks.map((s) => ({
        id: s.id,
        type: 'runStack',
        position: { x: s.col * COL, y: s.row * ROW },
        draggable: false,
        connectable: false,
        data: {
          stack: s,
          state,
          summary: summarizeStack(
            s.members.length,
            (i) => s.members[i]!.map((id) => state.tasks.get(id)),
            spans,
            state.t,
          ),
          onRange,
          ...(onSelect ? { onSelect } : {}),
        },
      })),
    [layout, state, spans, onRange, onSelect],
  );
  const root = useMemo(() => normalizeFileOrProblem(file).root, [file]);
  const taskNodes = useMemo<Node<TaskNodeData>[]>(() => {
    const failures = headerFailures(state);
    return layout.tasks.map((t) => {
      const task = state.tasks.get(t.task_id) ?? state.tasks.get(state.byPath.get(t.path)?.[0] ?? '');
      const chord = t.chordId !== undefined ? state.chords.get(t.chordId) : undefined;
      const divergence = divergent?.get(t.task_id);
      return {
        id: t.task_id,
        type: 'runTask',
        position: { x: t.col * COL, y: t.row * ROW },
        draggable: false,
        connectable: false,
        data: {
          taskId: t.task_id,
          name: names?.get(t.task_id) ?? t.name,
          caption: taskCaption(t.task_id, t.path, root),
          selected: selectedTaskId === t.task_id,
          ...(task ? { task } : {}),
          ...(chord
            ? { chord: { done: chord.done, total: chord.total, failed: failures.get(chord.chord_id) ?? 0 } }
            : {}),
          ...(divergence ? { divergence } : {}),
        },
      };
    });
  }, [layout, root, state, divergent, selectedTaskId, names]);
  // The nodes are rebuilt on every state change (each page of a live log). React Flow keeps a node hidden
  // until it has `measured` dimensions, and a rebuilt node without them is hidden again; if that happens
  // in the same commit as its measurement, its ResizeObserver never fires again and the node stays hidden.
  // So the sizes React Flow reports are kept and handed back on every rebuilt node.
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    for (const c of changes)
      if (c.type === 'dimensions' && c.dimensions) measured.current.set(c.id, c.dimensions);
  }, []);
  const nodes = useMemo<Node[]>(
    () =>
      [...stackNodes, ...taskNodes].map((n) => {
        const size = measured.current.get(n.id);
        return size ? { ...n, measured: size } : n;
      }),
    [stackNodes, taskNodes],
  );
  const edges = useMemo<Edge[]>(
    () =>
      layout.edges.map((e) => ({
        id: `${e.source}->${e.target}`,
        source: e.source,
        target: e.target,
        animated: state.tasks.get(e.target)?.status === 'running',
        style:
          e.kind === 'flow'
            ? {}
            : { strokeDasharray: '4 3', stroke: e.kind === 'link_error' ? '#d3453c' : '#2f9e5c' },
      })),
    [layout, state],
  );
  return (
    <div
      style={{ height: 320, border: '1px solid rgba(127,127,127,0.25)', borderRadius: 8 }}
      data-testid="run-graph"
    >
      {layout.problem === undefined ? null : (
        <p role="alert" data-testid="run-graph-problem" style={{ padding: 12 }}>
          {layout.problem}
        </p>
      )}
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        fitView
        maxZoom={1}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_e, n) => {
          if (n.type === 'runTask') onSelect?.(n.id);
        }}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}
