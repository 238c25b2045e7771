'use client';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { pathKey } from '@/lib/canvas/drawing';
import { useEditor } from '../EditorProvider';
import type { EditorFlowNode } from '../flowTypes';

const TITLES = { group: 'group', chord: 'chord', chain: 'chain', task: '' } as const;

function ContainerNodeView({ id, data, selected }: NodeProps<EditorFlowNode>) {
  const kind = data.dn.kind;
  const problem = useEditor((s) => s.ui.problemIndex[id]);
  const key = pathKey(data.dn.path);
  // Run overlays (simulation or live run) report chord barrier progress by the container's path.
  const sim = useEditor((s) => (s.sim.active ? s.sim.byPath[key] : undefined));
  const live = useEditor((s) => (s.live.active ? s.live.byPath[key] : undefined));
  const status = live ?? sim;
  const barrierX = data.box.barrierX;
  return (
    <div
      className={`cf-container is-${kind}${selected ? ' is-selected' : ''}${problem ? ' has-warning' : ''}`}
      data-testid={`${kind}-node`}
      data-drop-parent={id}
      title={`${kind} with ${data.count} member${data.count === 1 ? '' : 's'}`}
    >
      <Handle type="target" position={Position.Left} id="in" className="cf-handle" />
      <div className="cf-container-title">
        <span className="cf-kind">{TITLES[kind]}</span>
        <span className="cf-count">{data.count}</span>
        {kind === 'chord' && <span className="cf-hint">header ▸ barrier ▸ body</span>}
        {status?.progress !== undefined && (
          <span
            className={`cf-chip is-progress${status.progress.failed ? ' is-failed' : ''}`}
            data-testid="chord-progress"
            data-failed={status.progress.failed ?? 0}
            title="Chord barrier: header tasks done (the body runs only if none failed)"
          >
            {status.progress.done} / {status.progress.total}
            {status.progress.failed ? ` · ${status.progress.failed} failed` : ''}
          </span>
        )}
        {status !== undefined && status.progress === undefined && (
          <span className={`cf-chip is-state state-${status.state.toLowerCase()}`}>
            {status.state.toLowerCase()}
          </span>
        )}
        {problem !== undefined && (
          <span className="cf-chip is-warning" data-testid="problem-badge" title={problem.first}>
            ! {problem.errors + problem.warnings}
          </span>
        )}
      </div>
      {kind === 'chord' && barrierX !== undefined && (
        <>
          <div
            className="cf-region is-header"
            data-drop-parent={id}
            data-drop-region="header"
            style={{ width: barrierX }}
          />
          <div
            className="cf-barrier"
            style={{ left: barrierX }}
            title="Barrier: the body runs once every header task has succeeded"
          />
          <div
            className="cf-region is-body"
            data-drop-parent={id}
            data-drop-region="body"
            style={{ left: barrierX }}
          />
        </>
      )}
      <Handle type="source" position={Position.Right} id="out" className="cf-handle" />
      <Handle
        type="source"
        position={Position.Bottom}
        id="link"
        className="cf-handle is-link"
        style={{ left: '35%' }}
      />
      <Handle
        type="source"
        position={Position.Bottom}
        id="link_error"
        className="cf-handle is-link-error"
        style={{ left: '65%' }}
      />
    </div>
  );
}

export const ContainerNodeMemo = memo(ContainerNodeView);
