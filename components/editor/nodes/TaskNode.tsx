'use client';
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { NodeRunBadge } from '@/components/sim/NodeRunBadge';
import { CHUNKS_TASK, mapSummary } from '@/lib/canvas/chunks';
import { pathKey } from '@/lib/canvas/drawing';
import type { Json, TaskNode as TaskSig } from '@/lib/canvas/model';
import { useEditor } from '../EditorProvider';
import type { EditorFlowNode } from '../flowTypes';
import { useFarZoom } from './farZoom';

function short(v: Json): string {
  const s = JSON.stringify(v);
  return s.length > 18 ? `${s.slice(0, 16)}…` : s;
}

/** `(1, 2, payload=…)`: what the signature stores, shortened for the card. */
export function argsSummary(t: TaskSig): string {
  // Celery's xmap/xstarmap/chunks read as what they do.
  const mapped = mapSummary(t);
  if (mapped !== null) return mapped;
  const parts = [...t.args.map(short), ...Object.entries(t.kwargs).map(([k, v]) => `${k}=${short(v)}`)];
  const text = parts.join(', ');
  return `(${text.length > 40 ? `${text.slice(0, 38)}…` : text})`;
}

const LINK_STYLE = { left: '35%' };
const ERRBACK_STYLE = { left: '65%' };

function TaskNodeView({ id, data, selected }: NodeProps<EditorFlowNode>) {
  const t = data.dn.task!;
  const problem = useEditor((s) => s.ui.problemIndex[id]);
  const key = pathKey(data.dn.path);
  const sim = useEditor((s) =>
    s.sim.active ? (s.sim.byTaskId.get(t.id ?? '') ?? s.sim.byPath[key]) : undefined,
  );
  const live = useEditor((s) =>
    s.live.active ? (s.live.byTaskId.get(t.id ?? '') ?? s.live.byPath[key]) : undefined,
  );
  const status = live ?? sim;
  // Callback handles exist only where they are used or can be used now (selected): fewer DOM nodes at 2,000 tasks.
  const showLinks = selected || t.link.length > 0 || t.link_error.length > 0;
  const updateInternals = useUpdateNodeInternals();
  const shown = useRef(showLinks);
  useEffect(() => {
    // Handles appeared or went: React Flow must measure them again to route callback edges.
    if (shown.current !== showLinks) updateInternals(id);
    shown.current = showLinks;
  }, [showLinks, id, updateInternals]);
  // One zoom reading for the whole canvas (farZoom.tsx): nodes re-render only when it crosses the threshold.
  const far = useFarZoom();
  if (far) {
    return (
      <div
        className={`cf-task is-far${selected ? ' is-selected' : ''}${problem?.errors ? ' has-error' : ''}`}
        data-testid="task-node"
        data-task={t.task}
        data-state={status?.state}
        data-lod="far"
      >
        <Handle type="target" position={Position.Left} id="in" className="cf-handle" />
        <span className="cf-task-name">{t.task}</span>
        <Handle type="source" position={Position.Right} id="out" className="cf-handle" />
        {showLinks && (
          <>
            <Handle
              type="source"
              position={Position.Bottom}
              id="link"
              className="cf-handle"
              style={LINK_STYLE}
            />
            <Handle
              type="source"
              position={Position.Bottom}
              id="link_error"
              className="cf-handle"
              style={ERRBACK_STYLE}
            />
          </>
        )}
      </div>
    );
  }
  const retries = t.options.max_retries;
  const hasRetry =
    retries !== undefined || t.options.autoretry_for !== undefined || t.options.retry_backoff !== undefined;
  return (
    <div
      className={`cf-task${t.task === CHUNKS_TASK ? ' is-chunks' : ''}${selected ? ' is-selected' : ''}${problem?.errors ? ' has-error' : problem ? ' has-warning' : ''}`}
      data-testid="task-node"
      data-task={t.task}
      data-state={status?.state}
    >
      <NodeRunBadge path={id} fallback={status} />
      <Handle type="target" position={Position.Left} id="in" className="cf-handle" />
      <div className="cf-task-head">
        <span className="cf-task-name">{t.task}</span>
        <span
          className={`cf-badge ${t.immutable ? 'is-si' : 'is-s'}`}
          title={
            t.immutable
              ? 'Immutable (.si): ignores the parent result'
              : 'Partial (.s): receives the parent result first'
          }
        >
          {t.immutable ? '.si' : '.s'}
        </span>
      </div>
      <div className="cf-task-args" title={argsSummary(t)}>
        {argsSummary(t)}
      </div>
      {(t.id !== undefined || hasRetry || t.sim !== undefined || problem !== undefined) && (
        <div className="cf-task-foot">
          {t.id !== undefined && (
            <span className="cf-chip" title="Task id label">
              #{t.id}
            </span>
          )}
          {hasRetry && (
            <span
              className="cf-chip is-retry"
              data-testid="retry-badge"
              title="Retry policy set on this node"
            >
              ↻ {retries === null ? '∞' : (retries ?? '')}
            </span>
          )}
          {t.sim !== undefined && (
            <span className="cf-chip is-sim" title="Simulation model set">
              sim
            </span>
          )}
          {problem !== undefined && (
            <span
              className={`cf-chip ${problem.errors ? 'is-error' : 'is-warning'}`}
              data-testid="problem-badge"
              title={problem.first}
            >
              {problem.errors ? `⚠ ${problem.errors}` : `! ${problem.warnings}`}
            </span>
          )}
        </div>
      )}
      <Handle type="source" position={Position.Right} id="out" className="cf-handle" />
      {showLinks && (
        <>
          <Handle
            type="source"
            position={Position.Bottom}
            id="link"
            className="cf-handle is-link"
            style={LINK_STYLE}
            title="Drag to add a success callback (link)"
          />
          <Handle
            type="source"
            position={Position.Bottom}
            id="link_error"
            className="cf-handle is-link-error"
            style={ERRBACK_STYLE}
            title="Drag to add an errback (link_error)"
          />
        </>
      )}
    </div>
  );
}

export const TaskNodeMemo = memo(TaskNodeView);
