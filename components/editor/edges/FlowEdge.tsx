'use client';
import { BaseEdge, type EdgeProps, getBezierPath, getSmoothStepPath } from '@xyflow/react';
import { memo } from 'react';
import type { EditorFlowEdge } from '../flowTypes';

/** Flow edges are solid; `link` callbacks dashed green; `link_error` errbacks dashed red. */
function FlowEdgeView(props: EdgeProps<EditorFlowEdge>) {
  const kind = props.data?.kind ?? 'flow';
  const [path] = kind === 'flow' ? getBezierPath(props) : getSmoothStepPath({ ...props, borderRadius: 10 });
  return (
    <BaseEdge
      id={props.id}
      path={path}
      {...(props.markerEnd !== undefined ? { markerEnd: props.markerEnd } : {})}
      interactionWidth={18}
      className={`cf-edge is-${kind}${props.data?.highlight ? ' is-highlight' : ''}${props.selected ? ' is-selected' : ''}`}
    />
  );
}

export const FlowEdgeMemo = memo(FlowEdgeView);
