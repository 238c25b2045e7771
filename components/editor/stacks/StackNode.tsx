'use client';
/**
 * A stacked node on the editor canvas: the members of a group or chord header that share a shape,
 * drawn once (lib/canvas/stacks.ts). Counts, progress and durations come from the run shown in the
 * simulation store (a simulation or a live run; both are events), member by member through the run's
 * path map, so the same node reads the same in both views.
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo, useCallback, useMemo } from 'react';
import { STACK_MAX_EXPANDED, type StackRange } from '@/lib/canvas/stacks';
import type { TaskRunState } from '../../sim/model/runState';
import { useSimStore } from '../../sim/simulationStore';
import type { EditorFlowNode } from '../flowTypes';
import { StackCard } from './StackCard';
import { summarizeStack, taskSpans } from './stackSummary';
import { useStackView } from './stackView';

function StackNodeView({ data }: NodeProps<EditorFlowNode>) {
  const stack = data.stack!;
  const { spec, range } = stack;
  const stateAt = useSimStore((s) => s.stateAt);
  const run = useSimStore((s) => s.run);
  const setRange = useStackView((s) => s.setRange);
  const summary = useMemo(() => {
    if (!stateAt || !run) return null;
    const paths = run.pathMap?.taskPaths;
    const spans = taskSpans(run.timeline);
    const stateOf = (uid: string): TaskRunState | undefined => {
      const path = paths?.get(uid)?.[0] ?? uid;
      const id = stateAt.byPath.get(path)?.[0];
      return id === undefined ? undefined : stateAt.tasks.get(id);
    };
    return summarizeStack(
      spec.members.length,
      (i) => spec.members[i]!.taskIds.map(stateOf),
      spans,
      stateAt.t,
    );
  }, [stateAt, run, spec]);
  const onRange = useCallback((r: StackRange | null) => setRange(spec.id, r), [setRange, spec.id]);
  const onMember = useCallback(
    (i: number) => setRange(spec.id, { from: i, to: Math.min(spec.members.length, i + 1) }),
    [setRange, spec],
  );
  return (
    <>
      <Handle type="target" position={Position.Left} id="in" className="cf-handle" />
      <StackCard
        label={spec.label}
        preview={spec.preview}
        count={spec.members.length}
        ownerLabel={spec.owner === 'chord' ? 'chord header' : 'group'}
        summary={summary}
        {...(range.to > range.from ? { range } : {})}
        maxRange={STACK_MAX_EXPANDED}
        onRange={onRange}
        onMember={onMember}
      />
      <Handle type="source" position={Position.Right} id="out" className="cf-handle" />
    </>
  );
}

export const StackNodeMemo = memo(StackNodeView);
